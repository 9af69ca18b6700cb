// What one tile of the matrix pulls, as a small state machine with no DOM.
// All media comes from the app's own `gridwall-video:` scheme (Rust's camera
// proxy, crates/wall/src/video_proxy/), never from the gateway: live frames
// one long poll each for the next frame's number (`/live/{id}?after={seq}`),
// the <img> then loading that frame itself (`/frame/{id}/{seq}`), so no
// Blob per frame waits for the page's collector; or for a camera that offers
// HLS and no MJPEG (drones, body cameras) the playlist
// `/hls/{id}/live.m3u8` that the component plays with hls.js (hlsTile.ts)
// and reports on (`hlsPlaying`, `hlsFailed`); snapshots every 2 s
// otherwise. The proxy says why live is not available (the gateway's cap, a
// hung or ended stream, an offline camera); the tile shows it and tries live
// again with backoff. The component renders `TileView` (the latest picture's
// URL: a frame of the proxy, or a snapshot's blob: URL) and reports the
// <img>'s load.

import type { CameraTile } from "../bindings/CameraTile";
import { backoff } from "./budget";

export type TileMode = "idle" | "live" | "snapshot" | "offline";
/** Why a tile does not show live video. */
export type TileReason = "offline" | "cap" | "hung" | "failed" | null;

/** Whether a tile can show the camera live: MJPEG first, HLS where it is all there is. */
export function liveForm(camera: CameraTile): "mjpeg" | "hls" | null {
  if (camera.live) return "mjpeg";
  if (camera.hls) return "hls";
  return null;
}

export interface TileView {
  mode: TileMode;
  reason: TileReason;
  /** The picture the <img> shows now; null shows none. */
  src: string | null;
  /** The HLS playlist the <video> plays (or tries to) now; null: no video. */
  hls: string | null;
}

export interface TileTimings {
  /** A new snapshot this often while not live. */
  snapshotEvery: number;
  /** Snapshots of a camera that seems offline, this often. */
  offlineEvery: number;
  /** Live is tried again no sooner than this after a refusal for the cap. */
  capRetry: number;
}

export const DEFAULT_TIMINGS: TileTimings = {
  snapshotEvery: 2_000,
  offlineEvery: 5_000,
  capRetry: 5_000,
};

/**
 * A tile asks for its next frame at the latest this long after showing one.
 * Below the proxy's `linger` (4 s): a paused tile must not lose its stream.
 */
const PAINT_WAIT_MS = 1_500;

/** A live stream that ran this long without trouble resets the backoff. */
const HEALTHY_MS = 20_000;

/** What the tile needs of `fetch` and of snapshots' blob URLs (tests pass fakes). */
export interface MediaIo {
  fetch: (url: string, init?: { signal?: AbortSignal }) => Promise<Response>;
  toUrl: (blob: Blob) => string;
  revoke: (url: string) => void;
}

const BROWSER_IO: MediaIo = {
  fetch: (url, init) => fetch(url, init),
  toUrl: (blob) => URL.createObjectURL(blob),
  revoke: (url) => URL.revokeObjectURL(url),
};

/** The proxy's `x-media-reason` as the tile says it. */
export function reasonOf(reason: string | null): TileReason {
  switch (reason) {
    case "cap":
      return "cap";
    case "offline":
      return "offline";
    case "hung":
      return "hung";
    default:
      return "failed";
  }
}

export class TileFeed {
  private view: TileView = { mode: "idle", reason: null, src: null, hls: null };
  private timers: ReturnType<typeof setTimeout>[] = [];
  private failures = 0;
  private snapshotErrors = 0;
  private snapshotPending = false;
  private snapshotCount = 0;
  private liveSince = 0;
  /** Which live attempt runs; an older pump stops when it changes. */
  private attempt = 0;
  private abort: AbortController | null = null;
  /** The snapshot's blob: URL shown now, to give back when replaced. */
  private picture: string | null = null;
  private stopped = false;
  private paintWaiter: (() => void) | null = null;

  constructor(
    private readonly camera: CameraTile,
    private readonly mediaUrl: string,
    private readonly onView: (view: TileView) => void,
    private readonly timings: TileTimings = DEFAULT_TIMINGS,
    private readonly now: () => number = () => Date.now(),
    private readonly io: MediaIo = BROWSER_IO,
  ) {}

  private get id(): string {
    return encodeURIComponent(this.camera.camera_id);
  }

  /** The tile became visible: start pulling. */
  start(): void {
    this.stopped = false;
    if (this.camera.online) this.tryLive();
    else this.toSnapshots("offline");
  }

  /** The last picture is on screen (decoded and a frame drawn): the next may be asked for. */
  painted(): void {
    const waiter = this.paintWaiter;
    this.paintWaiter = null;
    waiter?.();
  }

  /**
   * Waits until the last picture is painted (at most `PAINT_WAIT_MS`), so a
   * busy page gets fewer, newer frames instead of a queue of decodes that
   * keeps it from painting at all: the frame rate follows what it can show.
   */
  private waitPainted(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.paintWaiter = null;
        resolve();
      }, PAINT_WAIT_MS);
      this.paintWaiter = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** The tile is hidden or gone: pull nothing, let the proxy close the stream. */
  stop(): void {
    this.stopped = true;
    this.clearTimers();
    this.leaveLive();
    this.set({ mode: "idle", reason: null, src: null, hls: null });
    this.show(null);
  }

  /** The <video> plays the HLS stream: the tile is live. */
  hlsPlaying(): void {
    if (this.stopped || this.view.hls === null) return;
    if (this.failures && this.now() - this.liveSince > HEALTHY_MS) this.failures = 0;
    if (this.view.mode !== "live") this.set({ ...this.view, mode: "live", reason: null });
  }

  /** The HLS stream failed (the player gave up, or it stopped moving). */
  hlsFailed(reason: TileReason): void {
    if (this.stopped || this.view.hls === null) return;
    this.liveFailed(reason);
  }

  private tryLive(): void {
    if (this.stopped) return;
    const form = liveForm(this.camera);
    if (form === null) {
      this.toSnapshots(null);
      return;
    }
    this.clearTimers();
    this.leaveLive();
    if (form === "hls") {
      // The component plays it and reports; the last snapshot stays until then.
      this.liveSince = this.now();
      this.set({ ...this.view, hls: `${this.mediaUrl}/hls/${this.id}/live.m3u8` });
      return;
    }
    const attempt = ++this.attempt;
    this.abort = new AbortController();
    this.liveSince = this.now();
    void this.pump(attempt, this.abort.signal);
  }

  /** Asks the proxy for frame after frame while this attempt is current. */
  private async pump(attempt: number, signal: AbortSignal): Promise<void> {
    let after = 0;
    const current = () => attempt === this.attempt && !this.stopped;
    while (current()) {
      let response: Response;
      try {
        response = await this.io.fetch(`${this.mediaUrl}/live/${this.id}?after=${after}`, { signal });
      } catch {
        if (current()) this.liveFailed("failed");
        return;
      }
      if (!current()) return;
      if (response.status === 204) continue;
      if (!response.ok) {
        this.liveFailed(reasonOf(response.headers.get("x-media-reason")));
        return;
      }
      const seq = Number(response.headers.get("x-frame-seq"));
      if (!(seq > after)) {
        this.liveFailed("failed");
        return;
      }
      after = seq;
      if (this.view.mode !== "live") this.set({ mode: "live", reason: null, src: null, hls: null });
      this.show(`${this.mediaUrl}/frame/${this.id}/${seq}`);
      if (this.failures && this.now() - this.liveSince > HEALTHY_MS) this.failures = 0;
      await this.waitPainted();
    }
  }

  private liveFailed(reason: TileReason): void {
    if (reason !== "cap") this.failures += 1;
    this.toSnapshots(reason);
  }

  private leaveLive(): void {
    this.attempt += 1;
    this.abort?.abort();
    this.abort = null;
  }

  /** Snapshots from now on, and a later attempt at live when it may work. */
  private toSnapshots(reason: TileReason): void {
    this.clearTimers();
    this.leaveLive();
    this.snapshotPending = false;
    this.snapshotErrors = 0;
    this.set({ mode: reason === "offline" ? "offline" : "snapshot", reason, src: this.view.src, hls: null });
    void this.snapshot();
    const tick = () => {
      if (!this.snapshotPending) void this.snapshot();
      const every = this.view.mode === "offline" ? this.timings.offlineEvery : this.timings.snapshotEvery;
      this.timers.push(setTimeout(tick, every));
    };
    this.timers.push(setTimeout(tick, reason === "offline" ? this.timings.offlineEvery : this.timings.snapshotEvery));
    if (liveForm(this.camera) === null) return;
    // The proxy keeps its own backoff per camera; asking sooner costs a refusal, no upstream request.
    const wait =
      reason === "cap"
        ? this.timings.capRetry
        : reason === "offline"
          ? backoff(this.failures + 3)
          : Math.max(this.timings.capRetry, backoff(this.failures));
    this.timers.push(setTimeout(() => this.tryLive(), wait));
  }

  private async snapshot(): Promise<void> {
    this.snapshotCount += 1;
    this.snapshotPending = true;
    const attempt = this.attempt;
    const current = () =>
      attempt === this.attempt && !this.stopped && this.view.mode !== "live" && this.view.hls === null;
    let ok = false;
    let offline = false;
    try {
      const response = await this.io.fetch(`${this.mediaUrl}/snapshot/${this.id}?n=${this.snapshotCount}`);
      if (!current()) return;
      ok = response.ok;
      offline = response.headers.get("x-media-reason") === "offline";
      if (ok) this.show(await response.blob());
    } catch {
      ok = false;
    }
    if (!current()) return;
    this.snapshotPending = false;
    if (ok) {
      this.snapshotErrors = 0;
      if (this.view.mode === "offline") this.set({ ...this.view, mode: "snapshot", reason: this.failures ? "failed" : null });
      return;
    }
    this.snapshotErrors += 1;
    if ((offline || this.snapshotErrors >= 2) && this.view.mode !== "offline") {
      this.set({ mode: "offline", reason: "offline", src: this.view.src, hls: null });
    }
  }

  /**
   * Shows a picture: a live frame's URL, a snapshot (as a blob: URL), or
   * none; gives the previous blob: URL back.
   */
  private show(picture: string | Blob | null): void {
    const old = this.picture;
    const src = picture === null || typeof picture === "string" ? picture : this.io.toUrl(picture);
    this.picture = picture === null || typeof picture === "string" ? null : src;
    if (src !== null) this.set({ ...this.view, src });
    if (old) this.io.revoke(old);
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
