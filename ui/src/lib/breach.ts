// The map's time-to-breach layer (时限图层): grids coloured by how soon their
// pending incidents will be overdue, not by how many they have. Red: already
// overdue (with the overdue outline) or due within the hour; amber: due
// within four hours; green: later, or nothing pending with a deadline.

import type { GridDue } from "../bindings/GridDue";
import type { Language } from "../bindings/Language";
import type { GridDelta } from "../map/GridMap";
import { palette, type GridColour, type LegendEntry } from "../map/palette";

/** Minutes before the deadline at which a grid turns red, and amber. */
export const BREACH_RED_MINUTES = 60;
export const BREACH_AMBER_MINUTES = 240;

/** The colour of a grid with `overdue` incidents past their deadline and
 *  its next deadline `minutesLeft` away (null: none pending). */
export function breachColour(overdue: number, minutesLeft: number | null): GridColour {
  if (overdue > 0) return "red";
  if (minutesLeft === null) return "green";
  if (minutesLeft < BREACH_RED_MINUTES) return "red";
  if (minutesLeft < BREACH_AMBER_MINUTES) return "amber";
  return "green";
}

/** Each grid's next deadline (ms), from the command's answer. */
export function dueMap(dues: GridDue[]): Map<string, number> {
  return new Map(dues.map((d) => [d.grid_id, Date.parse(d.due_at)]));
}

/** The map's deltas in the time-to-breach layer, for every grid known by
 *  status (`grids`) or by deadline (`dues`), at platform time `nowMs`. */
export function breachDeltas(grids: Map<string, GridDelta>, dues: Map<string, number>, nowMs: number, only?: Iterable<string>): GridDelta[] {
  const ids = only ? new Set(only) : new Set([...grids.keys(), ...dues.keys()]);
  const out: GridDelta[] = [];
  for (const id of ids) {
    const status = grids.get(id);
    const overdue = status?.overdue ?? 0;
    const due = dues.get(id);
    const minutesLeft = due === undefined ? null : (due - nowMs) / 60_000;
    out.push({ grid_id: id, colour: breachColour(overdue, minutesLeft), open: status?.open ?? 0, overdue, stale: status?.stale });
  }
  return out;
}

const words: Record<Language, { overdue: string; hour: string; four: string; later: string; layer: string; status: string }> = {
  "zh-CN": { overdue: "已超期", hour: "1小时内到期", four: "4小时内到期", later: "4小时以上或无待办", layer: "时限", status: "状态" },
  en: { overdue: "Overdue", hour: "Due within 1 h", four: "Due within 4 h", later: "Later, or none due", layer: "Deadlines", status: "Status" },
};

export function breachWords(lang: Language): (typeof words)["zh-CN"] {
  return words[lang] ?? words["zh-CN"];
}

/** The legend of the time-to-breach layer. */
export function breachLegend(lang: Language): LegendEntry[] {
  const w = breachWords(lang);
  return [
    { key: "overdue", label: w.overdue, fill: palette.overdueFill, outline: palette.overdueOutline },
    { key: "red", label: w.hour, fill: palette.red },
    { key: "amber", label: w.four, fill: palette.amber },
    { key: "green", label: w.later, fill: palette.green },
  ];
}
