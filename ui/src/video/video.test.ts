import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { CameraTile } from "../bindings/CameraTile";
import { StreamBudget, backoff } from "./budget";
import { defaultScenes, layoutSpec, nearestCameras } from "./layouts";
import { TileFeed, type TileView } from "./tile";

function cam(id: string, over: Partial<CameraTile> = {}): CameraTile {
  return {
    camera_id: id,
    name: `camera ${id}`,
    kind: "fixed",
    online: true,
    grid_id: null,
    location: null,
    snapshot: `/vnet/v1/cameras/${id}/snapshot.jpg`,
    mjpeg: `/vnet/v1/cameras/${id}/live.mjpeg`,
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

describe("stream budget", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("never hands out more places than the cap, and a released place returns after the grace", () => {
    const budget = new StreamBudget(2, 1_000);
    expect(budget.acquire("a")).toBe(true);
    expect(budget.acquire("a")).toBe(true);
    expect(budget.acquire("b")).toBe(true);
    expect(budget.acquire("c")).toBe(false);
    budget.release("a");
    expect(budget.acquire("c")).toBe(false);
    vi.advanceTimersByTime(1_000);
    expect(budget.acquire("c")).toBe(true);
    expect(budget.inUse).toBe(2);
  });

  it("backs off from 2 s, doubling, to at most a minute", () => {
    expect([1, 2, 3, 10].map(backoff)).toEqual([2_000, 4_000, 8_000, 60_000]);
  });
});

describe("tile feed", () => {
  let views: TileView[];
  let width: number;
  beforeEach(() => {
    vi.useFakeTimers();
    views = [];
    width = 0;
  });
  afterEach(() => vi.useRealTimers());

  const feed = (camera: CameraTile, budget: StreamBudget | null) =>
    new TileFeed(
      camera,
      "http://127.0.0.1:1",
      budget,
      (v) => views.push(v),
      () => width,
      undefined,
      () => Date.now(),
    );
  const last = () => views[views.length - 1]!;

  it("goes live with a place in the budget, and pulls nothing once stopped", () => {
    const budget = new StreamBudget(1, 0);
    const tile = feed(cam("a"), budget);
    tile.start();
    expect(last()).toMatchObject({ mode: "live", src: "http://127.0.0.1:1/vnet/v1/cameras/a/live.mjpeg?fps=10" });
    tile.stop();
    expect(last()).toEqual({ mode: "idle", reason: null, src: null });
    expect(budget.inUse).toBe(0);
  });

  it("shows snapshots past the cap and goes live when a place frees", () => {
    const budget = new StreamBudget(1, 0);
    budget.acquire("other");
    const tile = feed(cam("a"), budget);
    tile.start();
    expect(last().mode).toBe("snapshot");
    expect(last().reason).toBe("cap");
    expect(last().src).toContain("/snapshot.jpg?n=");
    budget.release("other");
    vi.advanceTimersByTime(5_000);
    expect(last().mode).toBe("live");
  });

  it("falls back to snapshots when the stream's picture goes, then retries live", () => {
    const budget = new StreamBudget(4, 0);
    const tile = feed(cam("a"), budget);
    tile.start();
    width = 640;
    vi.advanceTimersByTime(1_000);
    expect(last().mode).toBe("live");
    width = 0; // the stream ended: WebKit drops the picture
    vi.advanceTimersByTime(1_000);
    expect(last()).toMatchObject({ mode: "snapshot", reason: "failed" });
    expect(budget.inUse).toBe(0);
    tile.loaded();
    vi.advanceTimersByTime(5_000);
    expect(last().mode).toBe("live");
  });

  it("says offline when snapshots fail too, and uses snapshots for a camera without MJPEG", () => {
    const tile = feed(cam("a", { mjpeg: null }), new StreamBudget(4, 0));
    tile.start();
    expect(last()).toMatchObject({ mode: "snapshot", reason: null });
    tile.failed();
    tile.failed();
    expect(last()).toMatchObject({ mode: "offline", reason: "offline" });
    tile.loaded();
    expect(last().mode).toBe("snapshot");
  });
});
