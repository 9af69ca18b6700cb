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
