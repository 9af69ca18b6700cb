import { afterEach, describe, expect, it, vi } from "vitest";
import { restore, viewOf, ViewReporter } from "./pageView";

describe("a page's own view", () => {
  afterEach(() => vi.useRealTimers());

  it("comes back as it was reported", () => {
    const state = { selectedGrid: "G1", mapLayer: "breach" as const, videoLayout: "9" as const, sceneIndex: 3 };
    expect(restore(viewOf(state))).toEqual(state);
  });

  it("falls back to the defaults for a first start or unknown values", () => {
    expect(restore(null)).toEqual({ selectedGrid: null, mapLayer: "status", videoLayout: null, sceneIndex: 0 });
    const odd = restore({ selected_grid: null, map_layer: "heat", video_layout: "25", scene_index: 2 });
    expect(odd.mapLayer).toBe("status");
    expect(odd.videoLayout).toBeNull();
    expect(odd.sceneIndex).toBe(2);
  });

  it("is reported once the page is quiet, and not again when unchanged", () => {
    vi.useFakeTimers();
    const reported: unknown[] = [];
    const reporter = new ViewReporter((v) => reported.push(v), 300);
    const base = { selectedGrid: null, mapLayer: "status" as const, videoLayout: null, sceneIndex: 0 };
    reporter.seed(viewOf(base));
    reporter.changed(viewOf(base));
    vi.advanceTimersByTime(400);
    expect(reported).toHaveLength(0);
    reporter.changed(viewOf({ ...base, sceneIndex: 1 }));
    reporter.changed(viewOf({ ...base, sceneIndex: 2 }));
    vi.advanceTimersByTime(400);
    expect(reported).toEqual([viewOf({ ...base, sceneIndex: 2 })]);
  });
});
