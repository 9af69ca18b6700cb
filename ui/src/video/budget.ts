// How long a tile waits before it asks for live video again after a failure.

/** The delay before the `failures`-th retry of a live stream: 2 s doubling, at most 60 s. */
export function backoff(failures: number): number {
  return Math.min(60_000, 2_000 * 2 ** Math.max(0, failures - 1));
}
