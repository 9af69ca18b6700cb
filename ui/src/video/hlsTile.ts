// Plays one camera's HLS in a tile's <video> with hls.js over Media Source
// Extensions (WebKitGTK's own <video> does not play .m3u8; see
// shared/PLATFORM.md). The playlist and its segments come from the app's
// media scheme, which keeps every upstream URL and token in Rust
// (crates/wall/src/video_proxy/hls.rs). The player only reports: playing,
// or failed with the reason the tile shows; TileFeed decides what follows.
// hls.js is loaded on first use, so a wall without HLS cameras never loads it.

import type { ErrorData } from "hls.js";
import type { TileReason } from "./tile";

export interface HlsReports {
  /** Frames are coming: the picture moves. */
  playing: () => void;
  /** The stream cannot be played now; the tile falls back to snapshots. */
  failed: (reason: TileReason) => void;
}

/** A live <video> whose time has not moved for this long has stalled for good. */
const STALL_MS = 12_000;
/** How often the stall watch looks. */
const WATCH_MS = 2_000;

type HlsModule = typeof import("hls.js/light");
let loading: Promise<HlsModule> | null = null;

/** hls.js, loaded once for every tile. */
function hlsModule(): Promise<HlsModule> {
  loading ??= import("hls.js/light");
  return loading;
}

/** The reason a tile shows for an HTTP status of the media scheme. */
export function reasonOfStatus(status: number | undefined): TileReason {
  switch (status) {
    case 429:
      return "cap";
    case 503:
      return "offline";
    case 504:
      return "hung";
    default:
      return "failed";
  }
}

export class HlsPlayer {
  private hls: import("hls.js/light").default | null = null;
  private watch: ReturnType<typeof setInterval> | undefined;
  private lastTime = -1;
  private lastMoved = 0;
  private done = false;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly url: string,
    private readonly reports: HlsReports,
  ) {}

  /** Loads hls.js if need be and starts playing. */
  async start(): Promise<void> {
    let Hls: HlsModule["default"];
    try {
      Hls = (await hlsModule()).default;
    } catch (err) {
      console.warn("hls.js did not load:", err);
      this.fail("failed");
      return;
    }
    if (this.done) return;
    if (!Hls.isSupported()) {
      this.fail("failed");
      return;
    }
    const hls = new Hls({
      // A wall shows the present: start near the live edge, keep little behind it.
      liveSyncDurationCount: 2,
      backBufferLength: 4,
      maxBufferLength: 8,
      lowLatencyMode: false,
    });
    this.hls = hls;
    hls.on(Hls.Events.ERROR, (_event, data: ErrorData) => {
      if (data.fatal) this.fail(reasonOfStatus(data.response?.code));
    });
    hls.on(Hls.Events.MANIFEST_PARSED, () => {
      void this.video.play().catch(() => {
        // Muted autoplay is allowed; a refusal shows as no progress and the watch reports it.
      });
    });
    this.video.addEventListener("playing", this.onPlaying);
    hls.loadSource(this.url);
    hls.attachMedia(this.video);
    this.lastMoved = Date.now();
    this.watch = setInterval(() => this.checkMoving(), WATCH_MS);
  }

  /** Stops and frees the decoder; reports nothing more. */
  destroy(): void {
    this.done = true;
    clearInterval(this.watch);
    this.video.removeEventListener("playing", this.onPlaying);
    this.hls?.destroy();
    this.hls = null;
    this.video.removeAttribute("src");
    this.video.load();
  }

  private readonly onPlaying = (): void => {
    if (!this.done) this.reports.playing();
  };

  private checkMoving(): void {
    const now = Date.now();
    if (this.video.currentTime !== this.lastTime) {
      this.lastTime = this.video.currentTime;
      this.lastMoved = now;
    } else if (now - this.lastMoved > STALL_MS) {
      this.fail("hung");
    }
  }

  private fail(reason: TileReason): void {
    if (this.done) return;
    this.destroy();
    this.reports.failed(reason);
  }
}
