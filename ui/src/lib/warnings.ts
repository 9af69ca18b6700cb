// The app's own early warnings (智慧脑预警) as the windows keep and show
// them: merged by id as they are raised, updated and handled.

import type { Language } from "../bindings/Language";
import type { WarningItem } from "../bindings/WarningItem";

/** At most this many are kept in a window. */
export const MAX_WARNINGS = 100;

/** `incoming` over `current` (by id), newest update first; `full` replaces. */
export function mergeWarnings(current: WarningItem[], incoming: WarningItem[], full: boolean): WarningItem[] {
  const byId = new Map<string, WarningItem>(full ? [] : current.map((w) => [w.id, w]));
  for (const w of incoming) byId.set(w.id, w);
  return [...byId.values()].sort((a, b) => Date.parse(b.updated_at) - Date.parse(a.updated_at)).slice(0, MAX_WARNINGS);
}

/** Still waiting for someone: raised and not yet acknowledged or handed over. */
export function isOpen(w: WarningItem): boolean {
  return w.state === "open";
}

const words = {
  "zh-CN": {
    own: "智慧脑预警",
    kinds: { rate: "异常上升", repeat: "重复纠纷", cluster: "群发聚集", overdue: "临期超期", closure_falling: "结案率下滑" } as Record<string, string>,
    levels: ["", "蓝", "黄", "橙", "红"],
    states: { open: "预警单", acknowledged: "已知悉", handed_over: "交办单", fed_back: "反馈单" } as Record<string, string>,
    acknowledge: "知悉",
    hand_over: "交办",
    feed_back: "反馈",
    to: "交办对象",
    instruction: "交办要求",
    feedback: "反馈内容",
    none: "暂无预警",
    panel: "智慧脑预警",
    here: "本级预警",
    close: "关闭",
  },
  en: {
    own: "Early warning",
    kinds: { rate: "Rate rising", repeat: "Repeat dispute", cluster: "Cluster", overdue: "Deadline", closure_falling: "Closure falling" } as Record<string, string>,
    levels: ["", "blue", "yellow", "orange", "red"],
    states: { open: "Raised", acknowledged: "Acknowledged", handed_over: "Handed over", fed_back: "Fed back" } as Record<string, string>,
    acknowledge: "Acknowledge",
    hand_over: "Hand over",
    feed_back: "Feed back",
    to: "To",
    instruction: "Instruction",
    feedback: "Feedback",
    none: "No warnings",
    panel: "Early warnings",
    here: "Warnings here",
    close: "Close",
  },
};

export function warningWords(lang: Language): (typeof words)["zh-CN"] {
  return words[lang === "en" ? "en" : "zh-CN"];
}

/** The badge colour of a level (1 蓝 … 4 红). */
export function levelColour(level: number): string {
  const colours = ["#4f8cff", "#4f8cff", "#e6c229", "#f08a24", "#e5484d"];
  return colours[Math.max(0, Math.min(4, level))] ?? "#4f8cff";
}

/** The warnings that concern a place of the console's drill-down: every
 *  one at the city, those of its towns, villages or grids below. At a
 *  micro-grid, those of its grid (`grid`). */
export function warningsAt(warnings: WarningItem[], level: string, id: string, grid: string | null = null): WarningItem[] {
  switch (level) {
    case "city":
      return warnings;
    case "town":
      return warnings.filter((w) => w.towns.includes(id) || (w.place_level === "town" && w.place_code === id));
    case "village":
      return warnings.filter((w) => w.villages.includes(id) || (w.place_level === "village" && w.place_code === id));
    default: {
      const g = grid ?? id;
      return warnings.filter((w) => w.grids.includes(g));
    }
  }
}
