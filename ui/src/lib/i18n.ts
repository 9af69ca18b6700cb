// Every string the wall shows, in Simplified Chinese (the default) and English:
// the dictionaries are in words/; here are the lookups. Components look words
// up by key; a missing key is a type error, not a blank.

import type { Language } from "../bindings/Language";
import { en } from "./words/en";
import { zh, type Dict } from "./words/zh";

export type { Dict };

export type Key = Exclude<
  keyof Dict,
  | "weekdays"
  | "severity"
  | "sources"
  | "con_loop"
  | "states"
  | "categories"
  | "roles"
  | "handling"
  | "mediation"
  | "risk"
  | "levels"
  | "source_marks"
  | "hit_kinds"
>;

/** A name from one of the dictionary's code tables; an unknown code is shown as it came. */
export function codeName(
  dict: Dict,
  table:
    | "states"
    | "categories"
    | "roles"
    | "handling"
    | "mediation"
    | "risk"
    | "levels"
    | "source_marks"
    | "sources"
    | "hit_kinds",
  code: string | null | undefined,
): string {
  if (code === null || code === undefined || code === "") return dict.no_data;
  return dict[table][code] ?? code;
}

/** A source's short name; an unknown wire value is shown as it came. */
export function sourceName(dict: Dict, source: string): string {
  return dict.sources[source] ?? source;
}

/**
 * "just now" / "20 s ago" / "3 min ago" between two RFC 3339 times (platform
 * time). Seconds go in steps of ten: an age that changed every second made
 * each panel a ticking clock, one more small repaint a second in a corner of
 * the wall (issue 16), while a reader three metres away needs no more than
 * "fresh", "a little old" and "minutes old".
 */
export function ageText(dict: Dict, now: string | null, at: string | null): string | null {
  if (!now || !at) return null;
  const seconds = Math.max(0, Math.floor((Date.parse(now) - Date.parse(at)) / 1000));
  if (seconds < 10) return dict.just_now;
  if (seconds < 120) return `${Math.floor(seconds / 10) * 10} ${dict.seconds_ago}`;
  return `${Math.round(seconds / 60)} ${dict.minutes_ago}`;
}

export function dictionary(lang: Language): Dict {
  return lang === "en" ? en : zh;
}
