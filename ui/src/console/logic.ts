// The console's pure logic: filters to the command's shape, the SLA
// countdown, the closed loop's phases, moving up and down the tree. No DOM,
// no Svelte: tested with vitest.

import type { Crumb } from "../bindings/Crumb";
import type { Filter } from "../bindings/Filter";
import type { Place } from "../bindings/Place";
import type { Dict } from "../lib/i18n";
import { wallTime } from "../lib/time";

/** The sources the contract names, the four of 警/诉/访/险 first. */
export const SOURCES = [
  "police_110",
  "litigation",
  "petition",
  "risk",
  "grid_patrol",
  "hotline_12345",
  "video_ai",
  "proxy_service",
] as const;

export const SEVERITIES = [1, 2, 3, 4] as const;

/** The states an officer filters on, in the order of the loop. */
export const STATES = [
  "reported",
  "accepted",
  "dispatched",
  "in_progress",
  "resolved",
  "closed",
  "mediation_failed",
  "escalated",
  "returned",
  "cancelled",
] as const;

/** The time window of the incident list: open ones, or reported within a span. */
export type TimeWindow = "open" | "24h" | "7d" | "30d";
export const WINDOWS: readonly TimeWindow[] = ["open", "24h", "7d", "30d"];

/** What the filter bar holds. */
export interface FilterState {
  sources: string[];
  severities: number[];
  states: string[];
  overdueOnly: boolean;
  window: TimeWindow;
}

export function defaultFilters(): FilterState {
  return { sources: [], severities: [], states: [], overdueOnly: false, window: "open" };
}

const WINDOW_HOURS: Record<TimeWindow, number | null> = { open: null, "24h": 24, "7d": 168, "30d": 720 };

/** The filter bar as the `console_level` command takes it (empty list = any). */
export function toFilter(state: FilterState, limit: number | null = null): Filter {
  return {
    sources: [...state.sources],
    severities: [...state.severities],
    states: [...state.states],
    open_only: state.window === "open",
    overdue_only: state.overdueOnly,
    window_hours: WINDOW_HOURS[state.window],
    limit,
  };
}

/** The incident list's first page (Rust's `INCIDENTS_FIRST_PAGE`); "more" adds as many again. */
export const LIST_PAGE = 50;
/** The longest list Rust gives (`INCIDENTS_LIMIT`). */
export const LIST_MAX = 1000;

/** How many rows one more "more" brings to a list showing `shown` of `total` (0: none). */
export function moreCount(shown: number, total: number): number {
  return Math.max(0, Math.min(LIST_PAGE, total - shown, LIST_MAX - shown));
}

/** A list with `item` added, or removed when it was there; order kept as `order` says. */
export function toggle<T>(list: readonly T[], item: T, order: readonly T[] = []): T[] {
  const next = list.includes(item) ? list.filter((x) => x !== item) : [...list, item];
  if (order.length) next.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  return next;
}

/** How many filters narrow the list (for the bar's "clear" affordance). */
export function activeFilterCount(state: FilterState): number {
  return (
    state.sources.length +
    state.severities.length +
    state.states.length +
    (state.overdueOnly ? 1 : 0) +
    (state.window === "open" ? 0 : 1)
  );
}

export interface Countdown {
  text: string;
  overdue: boolean;
  /** Less than an hour left: shown in amber. */
  urgent: boolean;
}

/**
 * The SLA countdown: time left until `due_at`, or how long it is overdue.
 * `seconds` is negative once overdue. Days are shown as such beyond 24 h.
 */
export function formatCountdown(seconds: number | null, dict: Dict): Countdown | null {
  if (seconds === null || !Number.isFinite(seconds)) return null;
  const overdue = seconds < 0;
  let rest = Math.floor(Math.abs(seconds));
  const days = Math.floor(rest / 86_400);
  rest -= days * 86_400;
  const pad = (n: number) => String(n).padStart(2, "0");
  const hms = `${pad(Math.floor(rest / 3600))}:${pad(Math.floor((rest % 3600) / 60))}:${pad(rest % 60)}`;
  const span = days > 0 ? `${days}${dict.con_day} ${hms}` : hms;
  return {
    text: `${overdue ? dict.con_overdue_by : dict.con_due_in} ${span}`,
    overdue,
    urgent: !overdue && seconds < 3600,
  };
}

/**
 * Seconds to the deadline now: the value the backend computed at its `at`,
 * less the platform time that has passed since (local time × clock speed).
 */
export function secondsLeft(dueInSeconds: number | null, fetchedAtMs: number, nowMs: number, speed: number): number | null {
  if (dueInSeconds === null) return null;
  return dueInSeconds - Math.floor(((nowMs - fetchedAtMs) / 1000) * Math.max(0, speed));
}

/** The four phases of the closed loop 发现—上报—处置—反馈, 0 to 3. */
export function loopPhase(state: string, first: boolean): number {
  if (first) return 0;
  switch (state) {
    case "reported":
    case "accepted":
    case "escalated":
    case "returned":
      return 1;
    case "resolved":
    case "closed":
    case "cancelled":
      return 3;
    default:
      return 2;
  }
}

/** The furthest phase a timeline (oldest first) has reached; -1 when empty. */
export function reachedPhase(states: readonly string[]): number {
  return states.reduce((best, s, i) => Math.max(best, loopPhase(s, i === 0)), -1);
}

/** `11-27 09:05:12` in China Standard Time; the raw text when unreadable. */
export function shortTime(rfc3339: string | null | undefined): string {
  if (!rfc3339) return "";
  const t = wallTime(rfc3339);
  return t ? `${t.date.slice(5)} ${t.time}` : rfc3339;
}

export const CITY: Place = { level: "city", id: "" };

export function samePlace(a: Place | null | undefined, b: Place | null | undefined): boolean {
  return !!a && !!b && a.level === b.level && a.id === b.id;
}

/** One level up from the last crumb; null at the city. */
export function parentOf(breadcrumbs: readonly Crumb[]): Place | null {
  return breadcrumbs.length >= 2 ? breadcrumbs[breadcrumbs.length - 2]!.place : null;
}

/** The grid a place lies in (itself for a grid, its parent for a micro-grid); null above grids. */
export function gridOf(breadcrumbs: readonly Crumb[]): string | null {
  return breadcrumbs.find((c) => c.place.level === "grid")?.place.id ?? null;
}

/** The index after a key press in a list of `length` (arrows, Home, End); null for other keys. */
export function moveIndex(key: string, index: number, length: number): number | null {
  if (length === 0) return null;
  switch (key) {
    case "ArrowDown":
      return Math.min(length - 1, index + 1);
    case "ArrowUp":
      return Math.max(0, index - 1);
    case "Home":
      return 0;
    case "End":
      return length - 1;
    default:
      return null;
  }
}

/** A search query worth sending: trimmed, at least one character. */
export function searchable(query: string): string | null {
  const q = query.trim();
  return q.length > 0 ? q : null;
}

/** A KPI value as the wall shows it: a percentage with one decimal, or whole minutes. */
export function kpiText(value: number | null, percent: boolean, dict: Dict): string {
  if (value === null || !Number.isFinite(value)) return dict.no_data;
  return percent ? `${(value * 100).toFixed(1)}%` : `${Math.round(value)}${dict.minutes}`;
}

/** Open incidents by source (rows, biggest first) and severity (columns 1–4). */
export function breakdownRows(
  cells: readonly { source: string; severity: number; count: number }[],
): { source: string; bySeverity: [number, number, number, number]; total: number }[] {
  const rows: Record<string, [number, number, number, number]> = {};
  for (const c of cells) {
    const row = (rows[c.source] ??= [0, 0, 0, 0]);
    const i = Math.min(4, Math.max(1, c.severity)) - 1;
    row[i] = row[i]! + c.count;
  }
  return Object.entries(rows)
    .map(([source, bySeverity]) => ({ source, bySeverity, total: bySeverity.reduce((a, b) => a + b, 0) }))
    .sort((a, b) => b.total - a.total || a.source.localeCompare(b.source));
}
