// How the camera matrix follows severe alerts.
//
// A new severe alert brings its grid's cameras to the matrix for a while.
// During a flood (a typhoon night, one serious alert a second) following
// every alert at once re-points the matrix every second: no stream is ever
// up long enough to be watched, and the whole panel repaints with each
// switch. So an alert's cameras stay at least a dwell; an alert arriving in
// it waits (the most severe, then the newest, of those waiting) and is shown
// when the dwell ends, unless it is more severe than the one shown, which
// takes the matrix at once.

/** How long a new severe alert keeps its cameras in focus. */
export const ALERT_FOCUS_MS = 120_000;
/** The least time an alert's cameras stay before an alert as severe replaces them. */
export const ALERT_DWELL_MS = 30_000;

/** An alert the matrix follows (or would): its grid, label and when it took the matrix. */
export interface FollowedAlert {
  grid: string;
  label: string;
  severity: number;
  /** Epoch ms: when it was shown (for the one shown) or arrived (for one waiting). */
  at: number;
}

/** Whether `next` takes the matrix from `shown` at `now` (else it waits). */
export function takesOver(shown: FollowedAlert | null, next: FollowedAlert, now: number, dwellMs = ALERT_DWELL_MS): boolean {
  if (!shown) return true;
  if (next.severity > shown.severity) return true;
  return now - shown.at >= dwellMs;
}

/** Of an alert already waiting and a new one, the one to show when the dwell ends. */
export function preferred(waiting: FollowedAlert | null, next: FollowedAlert): FollowedAlert {
  if (!waiting) return next;
  return waiting.severity > next.severity ? waiting : next;
}

/** When (epoch ms) the alert shown lets an alert as severe take the matrix. */
export function dwellEnds(shown: FollowedAlert, dwellMs = ALERT_DWELL_MS): number {
  return shown.at + dwellMs;
}
