// The map's colours for the wall's dark theme (background #0b1220), chosen to
// be told apart from three metres on a 4K panel: fills are solid and muted so
// a city of green stays calm, amber and red are saturated enough to find at a
// glance, and an overdue grid adds a thick light outline that pulses slowly,
// so it reads even for an operator who cannot tell red from green.

import type { Language } from "../bindings/Language";

/** Status colour of a grid as the wall's state computes it. */
export type GridColour = "green" | "amber" | "red";

export const palette = {
  background: "#0b1220",
  /** A grid with no status received yet. */
  noData: "#1b2536",
  green: "#1f6b55",
  amber: "#c98a1b",
  red: "#b8323c",
  /** A red grid with overdue incidents is filled brighter than plain red. */
  overdueFill: "#e0303f",
  overdueOutline: "#ffe3e7",
  overduePulse: "#ff2d55",
  /** Stale data: the colour is dimmed towards grey and hatched. */
  staleHatch: "rgba(200, 210, 225, 0.55)",
  stale: { green: "#2c4a45", amber: "#5e5443", red: "#5a3c43", none: "#1f2836" },
  gridBorder: "#0b1220",
  microBorder: "rgba(230, 238, 252, 0.22)",
  /** Over grids outside an emergency plan's zone: dimmed, still readable. */
  outsideZone: "rgba(4, 8, 18, 0.68)",
  townBorder: "#8fb8ff",
  townLabel: "#f2f6ff",
  labelHalo: "rgba(8, 13, 24, 0.9)",
  gridLabel: "#e6eefc",
  selected: "#ffffff",
  selectedHalo: "#0b1220",
} as const;

/** One line of the legend: a swatch (fill, optional outline and hatch) and its words. */
export interface LegendEntry {
  key: "green" | "amber" | "red" | "overdue" | "stale";
  label: string;
  fill: string;
  outline?: string;
  hatch?: string;
}

const labels: Record<Language, Record<LegendEntry["key"], string>> = {
  "zh-CN": {
    green: "正常",
    amber: "有未办结事件",
    red: "重大或超期",
    overdue: "超期",
    stale: "数据过期",
  },
  en: { green: "Normal", amber: "Open incidents", red: "Major or overdue", overdue: "Overdue", stale: "Data stale" },
};

export function legendEntries(lang: Language): LegendEntry[] {
  const l = labels[lang] ?? labels["zh-CN"];
  return [
    { key: "green", label: l.green, fill: palette.green },
    { key: "amber", label: l.amber, fill: palette.amber },
    { key: "red", label: l.red, fill: palette.red },
    { key: "overdue", label: l.overdue, fill: palette.overdueFill, outline: palette.overdueOutline },
    { key: "stale", label: l.stale, fill: palette.stale.green, hatch: palette.staleHatch },
  ];
}
