import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { CameraTile } from "../bindings/CameraTile";
import { backoff } from "./budget";
import { ALERT_DWELL_MS, dwellEnds, preferred, takesOver, type FollowedAlert } from "./follow";
import { defaultScenes, layoutSpec, nearestCameras } from "./layouts";
import { ptzActionOf } from "./ptz";
import { reasonOfStatus } from "./hlsTile";
import { TileFeed, liveForm, type MediaIo, type TileView } from "./tile";

function cam(id: string, over: Partial<CameraTile> = {}): CameraTile {
  return {
    camera_id: id,
    name: `camera ${id}`,
    kind: "fixed",
    online: true,
    grid_id: null,
    location: null,
    live: true,
    hls: false,
    ...over,
  };
}

describe("layouts and scenes", () => {
  it("has the tile counts of 1, 4, 1+5, 9 and 16", () => {
    expect(["1", "4", "1+5", "9", "16"].map((l) => layoutSpec(l as never).tiles)).toEqual([1, 4, 6, 9, 16]);
    expect(layoutSpec("1+5").firstSpan).toBe(2);
  });

  it("cuts the online cameras into scenes, skipping offline ones", () => {
    const cameras = [cam("a"), cam("b", { online: false }), cam("c"), cam("d"), cam("e"), cam("f")];
    const scenes = defaultScenes(cameras, "4");
    expect(scenes).toEqual([
      { layout: "4", cameras: ["a", "c", "d", "e"] },
      { layout: "4", cameras: ["f"] },
    ]);
  });

  it("puts the grid's own cameras first, then the nearest online ones", () => {
    const centre = [121.25, 30.17];
    const cameras = [
      cam("far", { location: [121.35, 30.17] }),
      cam("near", { location: [121.251, 30.17] }),
      cam("off", { location: [121.25, 30.17], online: false }),
      cam("mine", { grid_id: "G1", location: [121.3, 30.17] }),
      cam("nowhere"),
    ];
    expect(nearestCameras(cameras, "G1", centre, 6)).toEqual(["mine", "near", "far"]);
    expect(nearestCameras(cameras, null, centre, 1)).toEqual(["near"]);
  });
});

describe("backoff", () => {
  it("backs off from 2 s, doubling, to at most a minute", () => {
    expect([1, 2, 3, 10].map(backoff)).toEqual([2_000, 4_000, 8_000, 60_000]);
  });
});

/** A fake media scheme: each camera answers as `answer` says now. */
function fakeProxy() {
  const state = { live: "frames" as "frames" | "cap" | "hung" | "offline", snapshots: 200, seq: 0, requests: [] as string[], blobs: [] as string[], revoked: [] as string[] };
  const respond = (status: number, headers: Record<string, string> = {}) =>
    Promise.resolve(new Response(status === 200 ? new Blob(["jpeg"]) : null, { status, headers }));
  const io: MediaIo = {
    fetch: (url) => {
      state.requests.push(url);
      if (url.includes("/snapshot/")) {
        return state.snapshots === 200 ? respond(200) : respond(503, { "x-media-reason": "offline" });
      }
      if (state.live === "frames") {
        state.seq += 1;
        // One frame per timer tick, as the proxy's long poll would pace it.
        return new Promise((resolve) =>
          setTimeout(() => resolve(new Response(null, { status: 200, headers: { "x-frame-seq": String(state.seq) } })), 100),
        );
      }
      const status = { cap: 429, hung: 504, offline: 503 }[state.live];
      return respond(status, { "x-media-reason": state.live });
    },
    toUrl: () => {
      const url = `blob:${state.requests.length}`;
      state.blobs.push(url);
      return url;
    },
    revoke: (url) => state.revoked.push(url),
  };
  return { state, io };
}

describe("tile feed", () => {
  let views: TileView[];
  beforeEach(() => {
    vi.useFakeTimers();
    views = [];
  });
  afterEach(() => vi.useRealTimers());

  const feed = (camera: CameraTile, io: MediaIo) =>
    new TileFeed(camera, "gridwall-video://localhost", (v) => views.push(v), undefined, () => Date.now(), io);
  const last = () => views[views.length - 1]!;

  it("shows live frames from the proxy, and pulls nothing once stopped", async () => {
    const { state, io } = fakeProxy();
    const tile = feed(cam("a"), io);
    tile.start();
    await vi.advanceTimersByTimeAsync(350);
    expect(last()).toMatchObject({ mode: "live", reason: null });
    // The <img> loads the frame itself: no blob per frame.
    expect(last().src).toBe(`gridwall-video://localhost/frame/a/${state.seq}`);
    expect(state.requests.at(-1)).toBe(`gridwall-video://localhost/live/a?after=${state.seq - 1}`);
    tile.stop();
    const asked = state.requests.length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(last()).toEqual({ mode: "idle", reason: null, src: null, hls: null });
    expect(state.requests.length).toBeLessThanOrEqual(asked + 1);
  });

  it("asks for the next frame once the last one is painted, or after 1.5 s", async () => {
    const { state, io } = fakeProxy();
    const tile = feed(cam("a"), io);
    const lives = () => state.requests.filter((r) => r.includes("/live/")).length;
    tile.start();
    await vi.advanceTimersByTimeAsync(150);
    expect(lives()).toBe(1);
    await vi.advanceTimersByTimeAsync(500);
    expect(lives()).toBe(1);
    tile.painted();
    await vi.advanceTimersByTimeAsync(1);
    expect(lives()).toBe(2);
    await vi.advanceTimersByTimeAsync(1_650);
    expect(lives()).toBe(3);
    tile.stop();
  });

  it("shows snapshots and says why when the proxy refuses for the cap, then goes live", async () => {
    const { state, io } = fakeProxy();
    state.live = "cap";
    const tile = feed(cam("a"), io);
    tile.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(last()).toMatchObject({ mode: "snapshot", reason: "cap" });
    expect(state.requests).toContain("gridwall-video://localhost/snapshot/a?n=1");
    state.live = "frames";
    await vi.advanceTimersByTimeAsync(5_200);
    expect(last().mode).toBe("live");
    tile.stop();
  });

  it("falls back to snapshots when the stream hangs, then retries live", async () => {
    const { state, io } = fakeProxy();
    const tile = feed(cam("a"), io);
    tile.start();
    await vi.advanceTimersByTimeAsync(250);
    expect(last().mode).toBe("live");
    state.live = "hung";
    tile.painted();
    await vi.advanceTimersByTimeAsync(3_200);
    expect(last()).toMatchObject({ mode: "snapshot", reason: "hung" });
    state.live = "frames";
    await vi.advanceTimersByTimeAsync(5_200);
    expect(last().mode).toBe("live");
    tile.stop();
  });

  it("makes a blob URL for snapshots only, and gives it back once a live frame replaces it", async () => {
    const { state, io } = fakeProxy();
    state.live = "cap";
    const tile = feed(cam("a"), io);
    tile.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(state.blobs).toHaveLength(1);
    expect(last().src).toBe(state.blobs[0]);
    state.live = "frames";
    await vi.advanceTimersByTimeAsync(5_200);
    for (let i = 0; i < 5; i++) {
      tile.painted();
      await vi.advanceTimersByTimeAsync(150);
    }
    expect(last()).toMatchObject({ mode: "live", src: expect.stringContaining("/frame/a/") });
    expect(state.blobs.length).toBeLessThanOrEqual(3);
    expect(state.revoked).toEqual(state.blobs);
    tile.stop();
  });

  it("says offline when snapshots fail too, and uses snapshots for a camera without MJPEG", async () => {
    const { state, io } = fakeProxy();
    state.snapshots = 503;
    const tile = feed(cam("a", { live: false }), io);
    tile.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(last()).toMatchObject({ mode: "offline", reason: "offline" });
    expect(state.requests.some((r) => r.includes("/live/"))).toBe(false);
    state.snapshots = 200;
    await vi.advanceTimersByTimeAsync(5_100);
    expect(last().mode).toBe("snapshot");
    tile.stop();
  });
});

describe("HLS tiles", () => {
  let views: TileView[];
  beforeEach(() => {
    vi.useFakeTimers();
    views = [];
  });
  afterEach(() => vi.useRealTimers());
  const last = () => views[views.length - 1]!;
  const drone = cam("d", { kind: "drone", live: false, hls: true });

  it("plays MJPEG where offered and HLS only where it is all a camera has", () => {
    expect(liveForm(cam("a", { hls: true }))).toBe("mjpeg");
    expect(liveForm(drone)).toBe("hls");
    expect(liveForm(cam("s", { live: false }))).toBeNull();
  });

  it("asks for the proxy's playlist, is live once it plays, and pulls no MJPEG", async () => {
    const { state, io } = fakeProxy();
    const tile = new TileFeed(drone, "gridwall-video://localhost", (v) => views.push(v), undefined, () => Date.now(), io);
    tile.start();
    expect(last().hls).toBe("gridwall-video://localhost/hls/d/live.m3u8");
    expect(last().mode).not.toBe("live");
    tile.hlsPlaying();
    expect(last()).toMatchObject({ mode: "live", reason: null });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(state.requests.filter((r) => r.includes("/live/"))).toEqual([]);
    tile.stop();
    expect(last().hls).toBeNull();
  });

  it("falls back to snapshots with the reason when HLS fails, then tries again", async () => {
    const { state, io } = fakeProxy();
    const tile = new TileFeed(drone, "gridwall-video://localhost", (v) => views.push(v), undefined, () => Date.now(), io);
    tile.start();
    tile.hlsFailed(reasonOfStatus(429));
    expect(last()).toMatchObject({ mode: "snapshot", reason: "cap", hls: null });
    await vi.advanceTimersByTimeAsync(10);
    expect(state.requests).toContain("gridwall-video://localhost/snapshot/d?n=1");
    await vi.advanceTimersByTimeAsync(5_100);
    expect(last().hls).toBe("gridwall-video://localhost/hls/d/live.m3u8");
    tile.hlsFailed(reasonOfStatus(503));
    expect(last()).toMatchObject({ mode: "offline", reason: "offline", hls: null });
    tile.stop();
  });
});

describe("ptz keys", () => {
  it("maps the arrows and +/- to PTZ actions and ignores other keys", () => {
    expect(["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "+", "-", "a"].map(ptzActionOf)).toEqual([
      "left",
      "right",
      "up",
      "down",
      "zoom_in",
      "zoom_out",
      null,
    ]);
  });
});

describe("following severe alerts", () => {
  const alert = (grid: string, severity: number, at: number): FollowedAlert => ({ grid, label: grid, severity, at });

  it("shows the first alert at once", () => {
    expect(takesOver(null, alert("a", 3, 0), 0)).toBe(true);
  });

  it("keeps an alert's cameras for the dwell against alerts as severe", () => {
    const shown = alert("a", 3, 1_000);
    expect(takesOver(shown, alert("b", 3, 2_000), 2_000)).toBe(false);
    expect(takesOver(shown, alert("b", 2, 1_000 + ALERT_DWELL_MS - 1), 1_000 + ALERT_DWELL_MS - 1)).toBe(false);
    expect(takesOver(shown, alert("b", 3, 1_000 + ALERT_DWELL_MS), 1_000 + ALERT_DWELL_MS)).toBe(true);
    expect(dwellEnds(shown)).toBe(1_000 + ALERT_DWELL_MS);
  });

  it("lets a more severe alert take the matrix at once", () => {
    expect(takesOver(alert("a", 3, 1_000), alert("b", 4, 1_500), 1_500)).toBe(true);
  });

  it("waits with the most severe alert, the newest among equals", () => {
    const first = alert("a", 3, 1);
    const second = alert("b", 3, 2);
    expect(preferred(null, first)).toBe(first);
    expect(preferred(first, second)).toBe(second);
    const grave = alert("c", 4, 3);
    expect(preferred(grave, alert("d", 3, 4))).toBe(grave);
  });
});
