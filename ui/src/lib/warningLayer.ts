// The map's warnings layer (预警图层): grids coloured by the highest level
// of the app's own warnings that still wait for someone (raised,
// acknowledged or handed over; a warning fed back is done). Red: 红 or 橙;
// amber: 黄 or 蓝; green: no warning. The overdue outline stays, so a grid
// past its deadlines is still found in this layer.

import type { Language } from "../bindings/Language";
import type { WarningItem } from "../bindings/WarningItem";
import type { GridDelta } from "../map/GridMap";
import { palette, type GridColour, type LegendEntry } from "../map/palette";
import { breachLegend, breachWords } from "./breach";

/** Still being handled: not yet fed back. */
export function isPending(w: WarningItem): boolean {
  return w.state !== "fed_back";
}

/** The highest level of pending warnings per grid. */
export function warnedGrids(warnings: WarningItem[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const w of warnings) {
    if (!isPending(w)) continue;
    for (const grid of w.grids) out.set(grid, Math.max(out.get(grid) ?? 0, w.level));
  }
  return out;
}

export function warningColour(level: number | undefined): GridColour {
  if (!level) return "green";
  return level >= 3 ? "red" : "amber";
}

/** The map's deltas in the warnings layer for every grid known by status
 *  (`grids`) or by warning (`warned`), or only those of `only`. */
export function warningDeltas(grids: Map<string, GridDelta>, warned: Map<string, number>, only?: Iterable<string>): GridDelta[] {
  const ids = only ? new Set(only) : new Set([...grids.keys(), ...warned.keys()]);
  const out: GridDelta[] = [];
  for (const id of ids) {
    const status = grids.get(id);
    out.push({
      grid_id: id,
      colour: warningColour(warned.get(id)),
      open: status?.open ?? 0,
      overdue: status?.overdue ?? 0,
      stale: status?.stale,
    });
  }
  return out;
}

const words: Record<Language, { layer: string; high: string; low: string; none: string }> = {
  "zh-CN": { layer: "预警", high: "红色、橙色预警", low: "黄色、蓝色预警", none: "无预警" },
  en: { layer: "Warnings", high: "Red or orange warning", low: "Yellow or blue warning", none: "No warning" },
};

export function warningLayerWords(lang: Language): (typeof words)["zh-CN"] {
  return words[lang] ?? words["zh-CN"];
}

/** The legend of the warnings layer. */
function warningLegend(lang: Language, overdueLabel: string): LegendEntry[] {
  const w = warningLayerWords(lang);
  return [
    { key: "red", label: w.high, fill: palette.red },
    { key: "amber", label: w.low, fill: palette.amber },
    { key: "green", label: w.none, fill: palette.green },
    { key: "overdue", label: overdueLabel, fill: palette.overdueFill, outline: palette.overdueOutline },
  ];
}

/** The legend of a map layer; null: the status colours' own. */
export function layerLegend(layer: "status" | "breach" | "warnings", lang: Language): LegendEntry[] | null {
  if (layer === "breach") return breachLegend(lang);
  if (layer === "warnings") return warningLegend(lang, breachWords(lang).overdue);
  return null;
}
