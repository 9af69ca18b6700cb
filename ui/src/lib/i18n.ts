// Every string the wall shows, in Simplified Chinese (the default) and English.
// Components look words up by key; a missing key is a type error, not a blank.

import type { Language } from "../bindings/Language";

const zh = {
  title: "慈溪市社会治理中心",
  subtitle: "基层社会治理综合指挥平台",
  governance: "治理平台",
  video: "视联网",
  simulated: "模拟数据",
  link_connecting: "连接中",
  link_live: "在线",
  link_lagging: "延迟",
  link_down: "中断",
  syncing: "同步中",
  panel_map: "网格态势",
  panel_ticker: "实时预警",
  panel_kpi: "核心指标",
  panel_trend: "趋势分析",
  panel_video: "视联网监控",
  waiting: "等待数据",
  grids: "网格",
  speed: "倍速",
  lang_switch: "EN",
  weekdays: ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
  kpi_today: "今日",
  kpi_7d: "近7日",
  kpi_year: "本年",
  kpi_target: "目标",
  kpi_numerator: "分子",
  kpi_denominator: "分母",
  kpi_window: "统计口径：按上报日计，今日/近7日/本年",
  minutes: "分钟",
  no_data: "—",
  data_age: "数据时间",
  stale: "数据过期",
  ack: "确认",
  pinned: "待确认",
  no_alerts: "暂无预警",
  severity: ["", "一般", "较大", "重大", "特别重大"],
  chart_hourly: "24小时事件来源",
  chart_resolution: "近30日化解率",
  chart_categories: "本周高发类别",
  banner_lagging: "治理平台数据延迟：画面可能不是最新",
  banner_down: "治理平台连接中断：画面显示的是中断前的数据",
  seconds_ago: "秒前",
  minutes_ago: "分钟前",
  video_offline: "离线",
  video_cap: "超出并发上限",
  video_failed: "加载失败",
  video_hung: "直播无画面",
  video_ptz_refused: "云台控制被拒绝（非云台或他席占用）",
  video_ptz_failed: "云台控制失败",
  video_ptz_moved: "云台已转动",
  video_ptz_hint: "方向键转动，+/- 变焦",
  video_snapshot: "快照",
  video_focus: "事件聚焦",
  video_rotation: "轮巡",
  video_no_cameras: "暂无在线摄像机",
  video_layout: "画面布局",
  sources: {
    police_110: "110警情",
    litigation: "诉源",
    petition: "访源",
    risk: "险源",
    grid_patrol: "网格巡查",
    hotline_12345: "12345热线",
    video_ai: "视频智能",
    proxy_service: "代办服务",
  } as Record<string, string>,
};

type Dict = typeof zh;

const en: Dict = {
  title: "Cixi Social Governance Centre",
  subtitle: "Grassroots governance command platform",
  governance: "Governance",
  video: "Video network",
  simulated: "Simulated",
  link_connecting: "connecting",
  link_live: "live",
  link_lagging: "lagging",
  link_down: "down",
  syncing: "syncing",
  panel_map: "Grid situation",
  panel_ticker: "Live alerts",
  panel_kpi: "Key indicators",
  panel_trend: "Trends",
  panel_video: "Video network",
  waiting: "Waiting for data",
  grids: "grids",
  speed: "speed",
  lang_switch: "中文",
  weekdays: ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
  kpi_today: "Today",
  kpi_7d: "7 days",
  kpi_year: "Year",
  kpi_target: "target",
  kpi_numerator: "Numerator",
  kpi_denominator: "Denominator",
  kpi_window: "Counted by report day: today / 7 days / this year",
  minutes: "min",
  no_data: "—",
  data_age: "Data as of",
  stale: "stale",
  ack: "Acknowledge",
  pinned: "to acknowledge",
  no_alerts: "No alerts",
  severity: ["", "ordinary", "major", "serious", "critical"],
  chart_hourly: "Events by source, 24 h",
  chart_resolution: "Dispute resolution, 30 days",
  chart_categories: "Top categories this week",
  banner_lagging: "Governance data delayed: the wall may not be current",
  banner_down: "Governance link down: the wall shows data from before the outage",
  seconds_ago: "s ago",
  minutes_ago: "min ago",
  video_offline: "Offline",
  video_cap: "Stream limit reached",
  video_failed: "Failed to load",
  video_hung: "Stream stalled",
  video_ptz_refused: "PTZ refused (not PTZ, or held by another console)",
  video_ptz_failed: "PTZ failed",
  video_ptz_moved: "PTZ moved",
  video_ptz_hint: "arrow keys to pan and tilt, +/- to zoom",
  video_snapshot: "Snapshot",
  video_focus: "Incident focus",
  video_rotation: "Rotation",
  video_no_cameras: "No camera online",
  video_layout: "Layout",
  sources: {
    police_110: "110 police",
    litigation: "Litigation",
    petition: "Petition",
    risk: "Risk",
    grid_patrol: "Grid patrol",
    hotline_12345: "12345 hotline",
    video_ai: "Video AI",
    proxy_service: "Proxy service",
  } as Record<string, string>,
};

export type Key = Exclude<keyof Dict, "weekdays" | "severity" | "sources">;

/** A source's short name; an unknown wire value is shown as it came. */
export function sourceName(dict: Dict, source: string): string {
  return dict.sources[source] ?? source;
}

/** "12 s ago" / "3 min ago" between two RFC 3339 times (platform time). */
export function ageText(dict: Dict, now: string | null, at: string | null): string | null {
  if (!now || !at) return null;
  const seconds = Math.max(0, Math.round((Date.parse(now) - Date.parse(at)) / 1000));
  return seconds < 120 ? `${seconds} ${dict.seconds_ago}` : `${Math.round(seconds / 60)} ${dict.minutes_ago}`;
}

export function dictionary(lang: Language): Dict {
  return lang === "en" ? en : zh;
}
