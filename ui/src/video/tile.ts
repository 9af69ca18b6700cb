// What one tile of the matrix pulls, as a small state machine with no DOM:
// live MJPEG in an <img> when the camera offers it and the window's budget
// has a place, periodic snapshots otherwise, and back to live with backoff
// after a stream fails or stalls. The component only renders `TileView`
// and reports the <img>'s load and error events.

import type { CameraTile } from "../bindings/CameraTile";
import { backoff, type StreamBudget } from "./budget";

export type TileMode = "idle" | "live" | "snapshot" | "offline";
/** Why a tile does not show live video: the camera is off, the cap is reached, or loading failed. */
export type TileReason = "offline" | "cap" | "failed" | null;

export interface TileView {
  mode: TileMode;
  reason: TileReason;
  /** What the <img> loads now; null pulls nothing. */
  src: string | null;
}

export interface TileTimings {
  /** A new snapshot this often while not live. */
  snapshotEvery: number;
  /** Snapshots of a camera that seems offline, this often. */
  offlineEvery: number;
  /** A refused or failed live stream is tried again no sooner than this. */
  capRetry: number;
  /** A live stream whose frames stop for this long has stalled. */
  stallAfter: number;
  /** A new live stream without a first picture after this long has failed. */
  firstPictureWithin: number;
  /** Frames per second asked of the gateway. */
  fps: number;
}

export const DEFAULT_TIMINGS: TileTimings = {
  snapshotEvery: 2_000,
  offlineEvery: 5_000,
  capRetry: 5_000,
  stallAfter: 5_000,
  // Generous: on a loaded 2-core machine the first frame took over 5 s.
  firstPictureWithin: 15_000,
  fps: 10,
};

/** A live stream that ran this long without trouble resets the backoff. */
const HEALTHY_MS = 20_000;

function withParam(url: string, key: string, value: string | number): string {
  return `${url}${url.includes("?") ? "&" : "?"}${key}=${value}`;
}

export class TileFeed {
  private view: TileView = { mode: "idle", reason: null, src: null };
  private timers: ReturnType<typeof setTimeout>[] = [];
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private failures = 0;
  private snapshotErrors = 0;
  private snapshotPending = false;
  private snapshotCount = 0;
  private liveSince = 0;
  private lastFrame = 0;
  /** Load events of the current live stream: WebKit fires one per part. */
  private frames = 0;
  private hadPicture = false;
  private stopped = false;

  constructor(
    private readonly camera: CameraTile,
    private readonly baseUrl: string,
    private readonly budget: StreamBudget | null,
    private readonly onView: (view: TileView) => void,
    /** The <img>'s natural width now: 0 when it holds no picture. */
    private readonly probe: () => number,
    private readonly timings: TileTimings = DEFAULT_TIMINGS,
    private readonly now: () => number = () => Date.now(),
  ) {}

  private get key(): string {
    return this.camera.camera_id;
  }

  /** The tile became visible: start pulling. */
  start(): void {
    this.stopped = false;
    if (this.camera.online) this.tryLive();
    else this.toSnapshots("offline");
  }

  /** The tile is hidden or gone: pull nothing, give the place back. */
  stop(): void {
    this.stopped = true;
    this.clearTimers();
    this.leaveLive();
    this.set({ mode: "idle", reason: null, src: null });
  }

  /** The <img> loaded: a part of the live stream, or a snapshot. */
  loaded(): void {
    if (this.stopped) return;
    if (this.view.mode === "live") {
      this.frames += 1;
      this.lastFrame = this.now();
      if (this.failures && this.lastFrame - this.liveSince > HEALTHY_MS) this.failures = 0;
      return;
    }
    this.snapshotPending = false;
    this.snapshotErrors = 0;
    if (this.view.mode === "offline") this.set({ ...this.view, mode: "snapshot", reason: this.liveReason() });
  }

  /** The <img> failed: the stream was refused, ended or broke, or a snapshot failed. */
  failed(): void {
    if (this.stopped) return;
    if (this.view.mode === "live") {
      this.liveFailed();
      return;
    }
    this.snapshotPending = false;
    this.snapshotErrors += 1;
    if (this.snapshotErrors >= 2 && this.view.mode !== "offline") {
      this.set({ mode: "offline", reason: "offline", src: this.view.src });
    }
  }

  /**
   * Ends a live stream that is gone. WebKit fires `load` for the first part
   * of a multipart stream only and nothing when it ends, but the <img> then
   * drops its picture (natural width 0), which this watches. A stream that
   * stays open and silent keeps its last picture: that cannot be told apart
   * here (the pixels of a cross-origin <img> cannot be read).
   */
  private checkStall(): void {
    if (this.view.mode !== "live") return;
    const now = this.now();
    if (this.probe() > 0) {
      this.hadPicture = true;
      if (this.frames < 2) this.lastFrame = now;
    } else if (this.hadPicture || now - this.liveSince > this.timings.firstPictureWithin) {
      this.liveFailed();
      return;
    }
    // Where `load` does fire per part, silence is a stall too.
    if (this.frames >= 2 && now - this.lastFrame > this.timings.stallAfter) this.liveFailed();
  }

  private liveFailed(): void {
    this.failures += 1;
    this.toSnapshots("failed");
  }

  private liveReason(): TileReason {
    return this.failures ? "failed" : null;
  }

  private tryLive(): void {
    if (this.stopped) return;
    const mjpeg = this.camera.mjpeg;
    if (!mjpeg) {
      this.toSnapshots(null);
      return;
    }
    if (!this.budget || !this.budget.acquire(this.key)) {
      this.toSnapshots("cap");
      return;
    }
    this.clearTimers();
    this.frames = 0;
    this.hadPicture = false;
    this.liveSince = this.lastFrame = this.now();
    this.set({ mode: "live", reason: null, src: withParam(this.baseUrl + mjpeg, "fps", this.timings.fps) });
    this.watchdog = setInterval(() => this.checkStall(), 1_000);
  }

  private leaveLive(): void {
    if (this.watchdog !== null) clearInterval(this.watchdog);
    this.watchdog = null;
    this.budget?.release(this.key);
  }

  /** Snapshots from now on, and a later attempt at live when it may work. */
  private toSnapshots(reason: TileReason): void {
    this.clearTimers();
    this.leaveLive();
    this.snapshotPending = false;
    this.snapshotErrors = 0;
    this.set({ mode: reason === "offline" ? "offline" : "snapshot", reason, src: null });
    this.snapshot();
    const tick = () => {
      if (!this.snapshotPending) this.snapshot();
      const every = this.view.mode === "offline" ? this.timings.offlineEvery : this.timings.snapshotEvery;
      this.timers.push(setTimeout(tick, every));
    };
    this.timers.push(setTimeout(tick, reason === "offline" ? this.timings.offlineEvery : this.timings.snapshotEvery));
    if (this.camera.mjpeg && reason !== "offline") {
      const wait = reason === "cap" ? this.timings.capRetry : Math.max(this.timings.capRetry, backoff(this.failures));
      this.timers.push(setTimeout(() => this.tryLive(), wait));
    } else if (this.camera.mjpeg) {
      // An offline camera comes back: try live again now and then.
      this.timers.push(setTimeout(() => this.tryLive(), backoff(this.failures + 3)));
    }
  }

  private snapshot(): void {
    this.snapshotCount += 1;
    this.snapshotPending = true;
    this.set({ ...this.view, src: withParam(this.baseUrl + this.camera.snapshot, "n", `${this.now()}-${this.snapshotCount}`) });
  }

  private clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }

  private set(view: TileView): void {
    this.view = view;
    this.onView(view);
  }
}
