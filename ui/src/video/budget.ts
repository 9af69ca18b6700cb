// The live stream budget of one window: the gateway serves at most
// `max_streams_per_client` streams to this client and answers 429 past it.
// Every live tile holds a place; a place given back stays taken a little
// longer, because the gateway counts a stream until it notices the closed
// connection, and a scene change would otherwise open the new streams
// before the old ones are gone.

/** How long a released place stays taken (the gateway notices a close at its next frame). */
export const RELEASE_GRACE_MS = 3000;

export class StreamBudget {
  private held = new Set<string>();
  private releasing = 0;

  constructor(
    public readonly cap: number,
    private readonly grace = RELEASE_GRACE_MS,
  ) {}

  /** Places taken now, the ones in their grace included. */
  get inUse(): number {
    return this.held.size + this.releasing;
  }

  /** Takes a place for `key`; false when the cap is reached. Idempotent per key. */
  acquire(key: string): boolean {
    if (this.held.has(key)) return true;
    if (this.inUse >= this.cap) return false;
    this.held.add(key);
    return true;
  }

  /** Gives `key`'s place back after the grace. */
  release(key: string): void {
    if (!this.held.delete(key)) return;
    if (this.grace <= 0) return;
    this.releasing += 1;
    setTimeout(() => {
      this.releasing -= 1;
    }, this.grace);
  }
}

/** The delay before the `failures`-th retry of a live stream: 2 s doubling, at most 60 s. */
export function backoff(failures: number): number {
  return Math.min(60_000, 2_000 * 2 ** Math.max(0, failures - 1));
}
