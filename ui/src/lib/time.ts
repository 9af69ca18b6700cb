// Wall-clock formatting in the platform's zone (UTC+8), whatever the PC's zone.

const CHINA_OFFSET_MS = 8 * 3600 * 1000;

export interface WallTime {
  date: string;
  weekday: number;
  time: string;
}

/** Splits an RFC 3339 instant into date and time as read in China Standard Time. */
export function wallTime(rfc3339: string): WallTime | null {
  const ms = Date.parse(rfc3339);
  if (Number.isNaN(ms)) return null;
  const d = new Date(ms + CHINA_OFFSET_MS);
  const pad = (n: number) => String(n).padStart(2, "0");
  return {
    date: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
    weekday: d.getUTCDay(),
    time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
  };
}

/** A night-dimming schedule, as the window's setup gives it. */
export interface NightSchedule {
  from_minute: number;
  to_minute: number;
  dim: number;
}

/**
 * How dark the night veil is at `now` (an RFC 3339 instant, read in China
 * Standard Time), or null when the wall is not dimmed. A schedule whose start
 * is after its end runs past midnight.
 */
export function nightDim(schedule: NightSchedule | null, now: string | null): number | null {
  if (!schedule || !now) return null;
  const t = wallTime(now);
  if (!t) return null;
  const minute = Number(t.time.slice(0, 2)) * 60 + Number(t.time.slice(3, 5));
  const { from_minute: from, to_minute: to } = schedule;
  const inside = from < to ? minute >= from && minute < to : minute >= from || minute < to;
  return inside ? schedule.dim : null;
}

/** How far past the platform's clock a timestamp may be before the wall
 *  calls it suspect (clocks on the platform's servers drift a little). */
export const AHEAD_SLACK_MS = 5 * 60 * 1000;

/** True when `at` is later than the platform's time `now` by more than the
 *  slack: a record stamped in the future, shown as such, not trusted. */
export function isAhead(at: string, now: string | null): boolean {
  if (!now) return false;
  const a = Date.parse(at);
  const n = Date.parse(now);
  return !Number.isNaN(a) && !Number.isNaN(n) && a - n > AHEAD_SLACK_MS;
}

/** HH:MM of an RFC 3339 instant in China Standard Time, whatever its offset. */
export function hourMinute(at: string): string {
  return wallTime(at)?.time.slice(0, 5) ?? "--:--";
}
