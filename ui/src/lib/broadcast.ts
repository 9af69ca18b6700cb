// Pure helpers of the broadcast (指令直达): the countdown, ratios, the map's
// acknowledgement colours and the built-in templates. No runes, no DOM, so
// they are tested in Node.

import type { GridAcks } from "../bindings/GridAcks";
import { palette, type GridColour, type LegendEntry } from "../map/palette";
import type { Language } from "../bindings/Language";

/** Seconds left to `dueAt` at `now` (both RFC 3339, platform time); negative when late. */
export function secondsLeft(now: string | null, dueAt: string): number | null {
  if (!now) return null;
  const left = (Date.parse(dueAt) - Date.parse(now)) / 1000;
  return Number.isFinite(left) ? Math.round(left) : null;
}

/** `mm:ss`, with a minus sign once late (`-01:05`). */
export function countdownText(seconds: number | null): string {
  if (seconds === null) return "--:--";
  const late = seconds < 0;
  const s = Math.abs(seconds);
  const mm = String(Math.floor(s / 60)).padStart(2, "0");
  const ss = String(s % 60).padStart(2, "0");
  return `${late ? "-" : ""}${mm}:${ss}`;
}

/** Acknowledged share, 0..1 (1 when nobody was to acknowledge). */
export function ratio(acked: number, recipients: number): number {
  return recipients > 0 ? Math.min(1, acked / recipients) : 1;
}

/** `99.2%` with one decimal, never rounding a shortfall up to 100%. */
export function percentText(acked: number, recipients: number): string {
  const p = Math.floor(ratio(acked, recipients) * 1000) / 10;
  return `${p.toFixed(1)}%`;
}

/** Below this share a grid is red on the map; at or above, amber until all acknowledged. */
export const ACK_AMBER = 0.8;

/** The map colour of a grid's acknowledgement: all green, most amber, few red. */
export function ackColour(acked: number, recipients: number): GridColour {
  if (acked >= recipients) return "green";
  return ratio(acked, recipients) >= ACK_AMBER ? "amber" : "red";
}

/** The map's delta for one grid in acknowledgement mode. */
export function ackDelta(g: GridAcks): { grid_id: string; colour: GridColour; open: number; overdue: number } {
  return { grid_id: g.grid_id, colour: ackColour(g.acked, g.recipients), open: g.recipients - g.acked, overdue: 0 };
}

/** The map's legend in acknowledgement mode, in the colours of `ackColour`. */
export function ackLegend(labels: { all: string; most: string; few: string }): LegendEntry[] {
  return [
    { key: "green", label: labels.all, fill: palette.green },
    { key: "amber", label: labels.most, fill: palette.amber },
    { key: "red", label: labels.few, fill: palette.red },
  ];
}

/** A ready text the composer offers; emergency plans supply more through a prop. */
export interface BroadcastTemplate {
  key: string;
  title: Record<Language, string>;
  body: Record<Language, string>;
}

export const TEMPLATES: BroadcastTemplate[] = [
  {
    key: "typhoon",
    title: { "zh-CN": "台风防御紧急指令", en: "Typhoon: emergency instruction" },
    body: {
      "zh-CN": "台风即将登陆。请立即巡查本网格低洼地带、危旧房屋和在建工地，劝导转移危险区域人员，发现险情立即上报。收到请确认。",
      en: "A typhoon is about to make landfall. Patrol low-lying areas, old houses and building sites in your grid now, move people out of danger and report any hazard at once. Acknowledge on receipt.",
    },
  },
  {
    key: "flood",
    title: { "zh-CN": "防汛排查指令", en: "Flood: inspection instruction" },
    body: {
      "zh-CN": "强降雨持续。请立即排查本网格排水设施、地下车库和河道沿线，重点关注独居老人。收到请确认。",
      en: "Heavy rain continues. Inspect drains, underground car parks and riverbanks in your grid now, with attention to elderly people living alone. Acknowledge on receipt.",
    },
  },
  {
    key: "gathering",
    title: { "zh-CN": "大型活动安保指令", en: "Mass gathering: safety instruction" },
    body: {
      "zh-CN": "大型活动期间，请加强本网格巡查，发现人员聚集、矛盾纠纷苗头立即上报。收到请确认。",
      en: "During the event, step up patrols in your grid and report crowds or brewing disputes at once. Acknowledge on receipt.",
    },
  },
];

/** Grid ids typed by the officer: split on commas, spaces and lines, deduplicated. */
export function parseGridIds(text: string): string[] {
  return [...new Set(text.split(/[\s,，、]+/).map((s) => s.trim()).filter((s) => s.length > 0))];
}
