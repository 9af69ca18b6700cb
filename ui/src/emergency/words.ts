// The words of sign-in and the wartime footing (平战转换), in Simplified
// Chinese (the default) and English. Kept apart from lib/i18n.ts so that the
// footing's screens carry their own vocabulary.

import type { Language } from "../bindings/Language";
import type { PlanKind } from "../bindings/PlanKind";
import type { Role } from "../bindings/Role";

const zh = {
  footing: "应急状态",
  drill: "演练",
  drill_banner: "演练中",
  scope: "范围",
  elapsed: "已持续",
  since: "启动于",
  confirmed_by: "确认人",
  proposed_by: "提议人",
  pending_on: "待确认：启动预案",
  pending_off: "待确认：恢复平时状态",
  lapses_in: "剩余",
  zone_map: "事发区域",
  zone_workforce: "在岗力量",
  zone_workers: "网格员",
  zone_on_duty: "在岗",
  zone_leaders: "在岗网格长",
  zone_grids: "网格",
  zone_thresholds: "预警阈值",
  pin_from: "置顶等级≥",
  due_soon: "超时预警提前",
  hours: "小时",
  minutes: "分钟",
  broadcast_screen: "指令直达",
  broadcast_waiting: "尚未发送指令",
  // console
  sign_in: "登录",
  sign_out: "退出",
  username: "账号",
  pin: "密码/PIN",
  signed_out: "未登录",
  panel: "平战转换",
  plans: "应急预案",
  peacetime: "平时状态",
  wartime: "战时状态",
  propose_on: "提议启动",
  propose_off: "提议恢复平时",
  confirm_title: "双人确认",
  confirm_explain: "须由另一名值班长或管理员输入本人账号和密码确认，2分钟内未确认自动作废。",
  confirm: "确认切换",
  cancel: "撤销提议",
  close: "关闭",
  import_plan: "导入预案",
  export_plan: "导出",
  delete_plan: "删除",
  import_hint: "粘贴 TOML 格式的预案",
  save: "保存",
  need_sign_in: "请先登录后操作",
  towns: "镇街",
  templates: "指令模板",
  switched_on: "已切换至战时状态",
  switched_off: "已恢复平时状态",
  kinds: {
    typhoon: "台风",
    flood: "防汛",
    mass_gathering: "大型活动",
    public_health: "公共卫生",
    drill: "演练",
  } satisfies Record<PlanKind, string>,
  roles: {
    operator: "操作员",
    duty_officer: "值班长",
    admin: "管理员",
  } satisfies Record<Role, string>,
};

type Words = typeof zh;

const en: Words = {
  footing: "Emergency",
  drill: "DRILL",
  drill_banner: "Drill in progress",
  scope: "Scope",
  elapsed: "Elapsed",
  since: "Since",
  confirmed_by: "Confirmed by",
  proposed_by: "Proposed by",
  pending_on: "Awaiting confirmation: switch to plan",
  pending_off: "Awaiting confirmation: back to peacetime",
  lapses_in: "lapses in",
  zone_map: "Event zone",
  zone_workforce: "Workforce",
  zone_workers: "Grid workers",
  zone_on_duty: "On duty",
  zone_leaders: "Grid leaders on duty",
  zone_grids: "grids",
  zone_thresholds: "Alert thresholds",
  pin_from: "Pinned from severity ",
  due_soon: "Overdue warning ahead by",
  hours: "h",
  minutes: "min",
  broadcast_screen: "Broadcast",
  broadcast_waiting: "No instruction sent yet",
  sign_in: "Sign in",
  sign_out: "Sign out",
  username: "User",
  pin: "PIN",
  signed_out: "Not signed in",
  panel: "War footing",
  plans: "Emergency plans",
  peacetime: "Peacetime",
  wartime: "War footing",
  propose_on: "Propose switch",
  propose_off: "Propose peacetime",
  confirm_title: "Two-person confirmation",
  confirm_explain: "Another duty officer or admin confirms with their own user name and PIN. Unconfirmed after 2 minutes, it lapses.",
  confirm: "Confirm switch",
  cancel: "Withdraw",
  close: "Close",
  import_plan: "Import plan",
  export_plan: "Export",
  delete_plan: "Delete",
  import_hint: "Paste a plan in TOML",
  save: "Save",
  need_sign_in: "Sign in first",
  towns: "Towns",
  templates: "Templates",
  switched_on: "Switched to the war footing",
  switched_off: "Back to peacetime",
  kinds: {
    typhoon: "Typhoon",
    flood: "Flood",
    mass_gathering: "Mass gathering",
    public_health: "Public health",
    drill: "Drill",
  },
  roles: {
    operator: "Operator",
    duty_officer: "Duty officer",
    admin: "Admin",
  },
};

export function footingWords(lang: Language): Words {
  return lang === "en" ? en : zh;
}

/** Whole seconds between two RFC 3339 times (0 when either is missing). */
export function secondsBetween(from: string | null, to: string | null): number {
  if (!from || !to) return 0;
  return Math.max(0, Math.floor((Date.parse(to) - Date.parse(from)) / 1000));
}

/** `h:mm:ss`, or `mm:ss` under an hour. */
export function clockText(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const hh = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, "0");
  const ss = String(s % 60).padStart(2, "0");
  return hh > 0 ? `${hh}:${mm}:${ss}` : `${mm}:${ss}`;
}
