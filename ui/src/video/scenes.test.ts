import { describe, expect, it } from "vitest";
import type { Scene } from "./layouts";
import { dwellOf, rotationOf, savedScene, toggleChosen, type VideoScenes } from "./scenes";

const defaults: Scene[] = [
  { layout: "1+5", cameras: ["a", "b"] },
  { layout: "1+5", cameras: ["c"] },
];

function stored(over: Partial<VideoScenes> = {}): VideoScenes {
  return {
    window: "video",
    scenes: [
      { name: "东门路口", layout: "4", cameras: ["c1", "c2"], updated_at: "", updated_by: "" },
      { name: "旧布局", layout: "12", cameras: ["c9"], updated_at: "", updated_by: "" },
      { name: "港区", layout: "1", cameras: ["c3"], updated_at: "", updated_by: "" },
    ],
    rotation: [],
    dwell_secs: 30,
    ...over,
  };
}

describe("a window's rotation", () => {
  it("runs through the catalogue's scenes without a saved rotation", () => {
    expect(rotationOf(null, defaults)).toEqual(defaults.map((s) => ({ ...s, name: null })));
    expect(rotationOf(stored(), defaults).map((s) => s.name)).toEqual([null, null]);
  });

  it("runs through its saved scenes in the order chosen, skipping unknown layouts", () => {
    const rotation = rotationOf(stored({ rotation: ["港区", "旧布局", "东门路口"] }), defaults);
    expect(rotation).toEqual([
      { name: "港区", layout: "1", cameras: ["c3"] },
      { name: "东门路口", layout: "4", cameras: ["c1", "c2"] },
    ]);
  });

  it("falls back to the catalogue when every named scene is unusable", () => {
    expect(rotationOf(stored({ rotation: ["旧布局"] }), defaults)).toHaveLength(2);
  });

  it("takes the stored dwell in milliseconds, 30 s without one", () => {
    expect(dwellOf(stored({ dwell_secs: 5 }))).toBe(5000);
    expect(dwellOf(null)).toBe(30_000);
  });

  it("finds a saved scene by name", () => {
    expect(savedScene(stored(), "港区")?.cameras).toEqual(["c3"]);
    expect(savedScene(stored(), "旧布局")).toBeNull();
    expect(savedScene(stored(), "nowhere")).toBeNull();
  });

  it("keeps chosen scenes in the order they were chosen", () => {
    expect(toggleChosen(toggleChosen([], "b"), "a")).toEqual(["b", "a"]);
    expect(toggleChosen(["b", "a"], "b")).toEqual(["a"]);
  });
});
