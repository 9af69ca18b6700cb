import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { WholeWatch, wholeNow } from "./whole";

interface FakeTile {
  camera: string;
  mode: string;
  picture: boolean;
}

/** A page of a clock, maps and camera tiles, answering the selectors `wholeNow` asks. */
function page(clock: string | null, maps: [number, number][], tiles: FakeTile[]) {
  const tileElement = (t: FakeTile) => ({
    dataset: { camera: t.camera, mode: t.mode },
    querySelector: (sel: string) => (sel === "img.shown, video.shown" && t.picture ? {} : null),
  });
  return {
    querySelector: (sel: string) => (sel === "[data-testid=clock]" && clock !== null ? { dataset: { now: clock } } : null),
    querySelectorAll: (sel: string) => {
      if (sel === "canvas[data-grid-count]") return maps.map(([n, frames]) => ({ dataset: { gridCount: String(n), frames: String(frames) } }));
      if (sel === "[data-testid=video-tile]") return tiles.map(tileElement);
      return [];
    },
  } as unknown as Document;
}

const tile = (camera: string, mode: string, picture: boolean): FakeTile => ({ camera, mode, picture });

describe("wholeNow", () => {
  it("is whole once the clock runs and the map has its grids, painted", () => {
    expect(wholeNow(page(null, [[1724, 1]], [])).whole).toBe(false);
    expect(wholeNow(page("", [[1724, 1]], [])).whole).toBe(false);
    expect(wholeNow(page("2026-12-07T10:00:00+08:00", [[0, 0]], [])).whole).toBe(false);
    expect(wholeNow(page("2026-12-07T10:00:00+08:00", [[1724, 0]], [])).whole).toBe(false);
    expect(wholeNow(page("2026-12-07T10:00:00+08:00", [[1724, 1]], [])).whole).toBe(true);
  });

  it("waits for every camera tile's picture, or its camera's offline note; empty tiles do not count", () => {
    const now = "2026-12-07T10:00:00+08:00";
    const waiting = page(now, [], [tile("a", "live", true), tile("b", "live", false), tile("", "empty", false)]);
    expect(wholeNow(waiting)).toEqual({ whole: false, pictures: 1, tiles: 2 });
    const settled = page(now, [], [tile("a", "live", true), tile("b", "offline", false), tile("", "empty", false)]);
    expect(wholeNow(settled)).toEqual({ whole: true, pictures: 1, tiles: 2 });
  });

  it("is not whole with nothing to show yet", () => {
    expect(wholeNow(page("2026-12-07T10:00:00+08:00", [], [])).whole).toBe(false);
  });
});

describe("WholeWatch", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("keeps when the page first became whole, and reports the pictures now", async () => {
    const tiles = [tile("a", "live", false)];
    const doc = page("2026-12-07T10:00:00+08:00", [], tiles);
    const watch = new WholeWatch(doc);
    watch.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(watch.report()).toEqual({ whole_at_ms: null, pictures: 0, tiles: 1 });
    tiles[0]!.picture = true;
    const at = Date.now();
    await vi.advanceTimersByTimeAsync(200);
    const first = watch.report().whole_at_ms;
    expect(first).not.toBeNull();
    expect(first! - at).toBeLessThanOrEqual(200);
    tiles[0]!.picture = false;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(watch.report()).toEqual({ whole_at_ms: first, pictures: 0, tiles: 1 });
    watch.stop();
  });
});
