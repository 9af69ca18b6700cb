import { beforeAll, describe, expect, it, vi } from "vitest";
import { cixi, loadCixi } from "./cityData.testsupport";
import { City } from "./city";
import { FakeContainer, FakePath2D, filledAt, installFakePath2D, ManualFrames } from "./fakeCanvas";
import { GridMap, type GridDelta, type GridMapStats } from "./GridMap";
import { legendEntries, palette, type GridColour } from "./palette";
import { GridState } from "./state";

beforeAll(async () => {
  installFakePath2D();
  await loadCixi();
});

function mapOnCixi(): { map: GridMap; frames: ManualFrames; el: FakeContainer } {
  const el = new FakeContainer(1600, 1200);
  const frames = new ManualFrames();
  const map = new GridMap(el as unknown as HTMLElement, {
    requestFrame: frames.request,
    cancelFrame: frames.cancel,
    pulse: false,
  });
  map.setCity(cixi());
  frames.run(); // the first full paint
  return { map, frames, el };
}

/** Vertices in all the paths filled so far (the map batches grids into a few paths per frame). */
function filledPoints(el: FakeContainer): number {
  return el.canvas.context.calls
    .filter((c) => c.op === "fill" && c.target instanceof FakePath2D)
    .reduce((n, c) => n + (c.target as FakePath2D).points, 0);
}

const delta = (grid_id: string, colour: GridColour, overdue = 0, stale = false): GridDelta => ({
  grid_id,
  colour,
  overdue,
  open: colour === "green" ? 0 : 1,
  stale,
});

describe("GridMap", () => {
  it("loads the whole city and says so on the canvas", () => {
    const { map, el } = mapOnCixi();
    expect(map.gridCount()).toBe(1724);
    expect(el.canvas.getAttribute("data-testid")).toBe("grid-map");
    expect(el.canvas.getAttribute("data-grid-count")).toBe("1724");
    expect(el.canvas.getAttribute("data-frames")).toBe("1");
    expect(el.canvas.width).toBe(1600);
    // Town names are drawn, big enough to read.
    const texts = el.canvas.context.calls.filter((c) => c.op === "fillText").map((c) => c.target);
    expect(texts).toContain("宗汉街道");
  });

  it("tells the colour it holds apart from the colour it painted", () => {
    const state = new GridState({ unknownDeltas: 0 } as GridMapStats);
    state.load(City.from(cixi().grids, cixi().towns, cixi().names));
    const id = cixi().names[0]!.grid_id;
    expect(state.receivedOf(id)).toBeNull();
    state.apply([delta(id, "red")]);
    expect(state.receivedOf(id)).toBe("red");
    expect(state.colourOf(id)).toBeNull(); // not painted yet
    expect(state.receivedOf("no-such-grid")).toBeNull();
  });

  it("paints 5,000 deltas given before a frame in exactly one frame, the last status winning", () => {
    const { map, frames, el } = mapOnCixi();
    const wholeCity = filledPoints(el);
    const before = frames.requested;
    const ids = cixi().names.slice(0, 50).map((g) => g.grid_id);
    const colours: GridColour[] = ["green", "amber", "red"];
    for (let k = 0; k < 5000; k++) map.applyDeltas([delta(ids[k % 50]!, colours[k % 3]!)]);
    map.applyDeltas([delta(ids[0]!, "amber")]);

    expect(frames.requested - before).toBe(1);
    expect(map.colourOf(ids[0]!)).toBeNull(); // nothing is painted before the frame
    el.canvas.context.calls = [];
    frames.run();

    expect(el.canvas.getAttribute("data-frames")).toBe("2");
    expect(map.stats()).toMatchObject({ frames: 2, fullRedraws: 1, partialRedraws: 1 });
    expect(map.colourOf(ids[0]!)).toBe("amber");
    // The last calls were k = 4997, 4998, 4999: ids[47] red, ids[48] green, ids[49] amber.
    expect(map.colourOf(ids[47]!)).toBe("red");
    expect(map.colourOf(ids[48]!)).toBe("green");
    expect(map.colourOf(ids[49]!)).toBe("amber");
    // A partial paint, clipped to the changed grids (one pass per separate rectangle):
    // it fills what lies near them, not the whole city.
    expect(el.canvas.context.clips).toBeGreaterThan(0);
    expect(el.canvas.context.clips).toBeLessThanOrEqual(50);
    const filled = filledPoints(el);
    expect(filled).toBeGreaterThan(0);
    expect(filled).toBeLessThan(wholeCity / 2);
    expect(el.canvas.context.saveDepth).toBe(0);
    expect(frames.pending).toBe(0);
  });

  it("repaints only grids that changed how they look", () => {
    const { map, frames } = mapOnCixi();
    const id = cixi().names[10]!.grid_id;
    map.applyDeltas([delta(id, "red", 2)]);
    frames.run();
    const painted = map.stats().frames;
    // Only the counts changed: same colour, still overdue, still fresh.
    map.applyDeltas([{ grid_id: id, colour: "red", overdue: 3, open: 5 }]);
    expect(frames.pending).toBe(0);
    frames.run();
    expect(map.stats().frames).toBe(painted);
  });

  it("ignores and counts deltas for grids it does not know", () => {
    const { map, frames } = mapOnCixi();
    expect(() =>
      map.applyDeltas([
        delta("330282999999G99", "red"),
        { grid_id: cixi().names[0]!.grid_id, colour: "purple" as GridColour, overdue: 0, open: 0 },
      ]),
    ).not.toThrow();
    expect(map.stats().unknownDeltas).toBe(2);
    expect(frames.pending).toBe(0);
  });

  it("keeps statuses that arrive before the geometry and shows them once it is loaded", () => {
    const el = new FakeContainer(1600, 1200);
    const frames = new ManualFrames();
    const map = new GridMap(el as unknown as HTMLElement, { requestFrame: frames.request, cancelFrame: frames.cancel });
    const id = cixi().names[42]!.grid_id;
    map.applyDeltas([delta(id, "red"), delta("330282999999G99", "amber")]);
    map.applyDeltas([delta(id, "amber")]);
    map.setCity(cixi());
    frames.run();
    expect(map.colourOf(id)).toBe("amber");
    expect(map.stats().unknownDeltas).toBe(1);
  });

  it("redraws everything once when more grids change than partial repaints pay for", () => {
    const { map, frames } = mapOnCixi();
    map.applyDeltas(cixi().names.map((g) => delta(g.grid_id, "red", 1, true)));
    frames.run();
    expect(map.stats()).toMatchObject({ fullRedraws: 2, partialRedraws: 0 });
    expect(map.colourOf(cixi().names[1723]!.grid_id)).toBe("red");
  });

  it("selects the grid under a click and tells listeners", () => {
    const { map, frames, el } = mapOnCixi();
    const g = cixi().names[500]!;
    const [x, y] = map.toScreen(g.centroid![0]!, g.centroid![1]!);
    expect(map.hitTest(x, y)).toBe(g.grid_id);

    const heard: (string | null)[] = [];
    map.onSelect((id) => heard.push(id));
    el.canvas.dispatch("pointerdown", { button: 0, pointerId: 1, clientX: x, clientY: y });
    el.canvas.dispatch("pointerup", { button: 0, pointerId: 1, clientX: x, clientY: y });
    expect(heard).toEqual([g.grid_id]);
    expect(map.selected()).toBe(g.grid_id);
    expect(el.canvas.getAttribute("data-selected")).toBe(g.grid_id);
    frames.run();
    const strokes = el.canvas.context.calls.filter((c) => c.op === "stroke" && c.style === palette.selected);
    expect(strokes.length).toBeGreaterThan(0);

    // A click on empty sea clears the selection.
    el.canvas.dispatch("pointerdown", { button: 0, pointerId: 2, clientX: 1, clientY: 1 });
    el.canvas.dispatch("pointerup", { button: 0, pointerId: 2, clientX: 1, clientY: 1 });
    expect(map.selected()).toBeNull();
    expect(heard).toEqual([g.grid_id, null]);
  });

  it("Tab walks the grids that need attention, worst first, and Shift+Tab walks back", () => {
    const { map, frames, el } = mapOnCixi();
    const ids = cixi().names.slice(0, 4).map((g) => g.grid_id);
    map.applyDeltas([
      delta(ids[0]!, "amber"),
      delta(ids[1]!, "red"),
      delta(ids[2]!, "red", 2),
      delta(ids[3]!, "green"),
    ]);
    frames.run();
    const key = (k: string, shiftKey = false) =>
      el.canvas.dispatch("keydown", { key: k, shiftKey, preventDefault: () => {} });
    const walked: (string | null)[] = [];
    for (let n = 0; n < 4; n++) {
      key("Tab");
      walked.push(map.selected());
    }
    expect(walked).toEqual([ids[2], ids[1], ids[0], ids[2]]);
    key("Tab", true);
    expect(map.selected()).toBe(ids[0]);
  });

  it("a drag pans the map instead of selecting", () => {
    const { map, el } = mapOnCixi();
    const g = cixi().names[500]!;
    const [x0, y0] = map.toScreen(g.centroid![0]!, g.centroid![1]!);
    el.canvas.dispatch("pointerdown", { button: 0, pointerId: 1, clientX: x0, clientY: y0 });
    el.canvas.dispatch("pointermove", { pointerId: 1, clientX: x0 + 100, clientY: y0 + 40 });
    el.canvas.dispatch("pointerup", { pointerId: 1, clientX: x0 + 100, clientY: y0 + 40 });
    expect(map.selected()).toBeNull();
    const [x1, y1] = map.toScreen(g.centroid![0]!, g.centroid![1]!);
    expect(x1 - x0).toBeCloseTo(100, 6);
    expect(y1 - y0).toBeCloseTo(40, 6);
  });

  it("a pan shifts the picture and paints only the strip that comes into view", () => {
    const { map, frames, el } = mapOnCixi();
    const wholeCity = filledPoints(el);
    el.canvas.context.calls = [];
    map.panBy(40, -25);
    map.panBy(10, 0);
    frames.run();
    expect(map.stats()).toMatchObject({ fullRedraws: 1, partialRedraws: 1, frames: 2 });
    const shifts = el.canvas.context.calls.filter((c) => c.op === "drawImage");
    expect(shifts).toHaveLength(1);
    expect(shifts[0]!.target).toBe(el.canvas);
    expect(filledPoints(el)).toBeLessThan(wholeCity / 2);
    // What is drawn where still answers to the pointer.
    const g = cixi().names[700]!;
    const [x, y] = map.toScreen(g.centroid![0]!, g.centroid![1]!);
    expect(map.hitTest(x, y)).toBe(g.grid_id);
  });

  it("focus brings a grid to the middle, zoomed in, over about 150 ms", () => {
    let now = 0;
    const el = new FakeContainer(1600, 1200);
    const frames = new ManualFrames();
    const map = new GridMap(el as unknown as HTMLElement, {
      requestFrame: frames.request,
      cancelFrame: frames.cancel,
      now: () => now,
    });
    map.setCity(cixi());
    frames.run();
    const g = cixi().names[900]!;
    map.focus(g.grid_id);
    now = 60;
    frames.run();
    const [xm] = map.toScreen(g.centroid![0]!, g.centroid![1]!);
    now = 200;
    frames.run();
    const [x, y] = map.toScreen(g.centroid![0]!, g.centroid![1]!);
    expect(Math.abs(x - 800)).toBeLessThan(200);
    expect(Math.abs(y - 600)).toBeLessThan(200);
    expect(Math.abs(xm - 800)).toBeGreaterThan(Math.abs(x - 800)); // still on its way at 60 ms
    expect(map.hitTest(x, y)).toBe(g.grid_id);
    expect(frames.pending).toBe(0); // the animation has ended and stopped asking for frames
  });

  it("fits an emergency plan's zone, also when asked before the city or a size", () => {
    let now = 0;
    const el = new FakeContainer(1600, 1200);
    const frames = new ManualFrames();
    const map = new GridMap(el as unknown as HTMLElement, {
      requestFrame: frames.request,
      cancelFrame: frames.cancel,
      now: () => now,
    });
    // 观海卫镇's grids: far from the city's centre.
    const zone = cixi()
      .names.filter((g) => g.grid_id.startsWith("330282107"))
      .map((g) => g.grid_id);
    expect(zone.length).toBeGreaterThan(10);
    map.fitGrids(zone);
    map.setCity(cixi());
    now = 1000;
    frames.run();
    now = 2000;
    frames.run();
    for (const id of [zone[0]!, zone[zone.length - 1]!]) {
      const g = cixi().names.find((n) => n.grid_id === id)!;
      const [x, y] = map.toScreen(g.centroid![0]!, g.centroid![1]!);
      expect(x).toBeGreaterThan(0);
      expect(x).toBeLessThan(1600);
      expect(y).toBeGreaterThan(0);
      expect(y).toBeLessThan(1200);
    }
    // Zoomed in: the zone's grids spread over far more of the screen than in the whole city.
    const xs = zone.map((id) => {
      const g = cixi().names.find((n) => n.grid_id === id)!;
      return map.toScreen(g.centroid![0]!, g.centroid![1]!)[0];
    });
    expect(Math.max(...xs) - Math.min(...xs)).toBeGreaterThan(600);
    // The grids outside the zone are painted under a veil; none are without a zone.
    const veils = () => el.canvas.context.calls.filter((c) => c.op === "fill" && c.style === palette.outsideZone).length;
    expect(veils()).toBeGreaterThan(0);
    expect(el.canvas.getAttribute("data-zone")).toBe(String(zone.length));
    map.fitCity();
    el.canvas.context.calls.length = 0;
    now = 3000;
    frames.run();
    expect(veils()).toBe(0);
  });

  it("holds status changes back to minPaintIntervalMs, then paints them all at once", () => {
    vi.useFakeTimers();
    try {
      let now = 1000;
      const el = new FakeContainer(1600, 1200);
      const frames = new ManualFrames();
      const map = new GridMap(el as unknown as HTMLElement, {
        requestFrame: frames.request,
        cancelFrame: frames.cancel,
        now: () => now,
        pulse: false,
        minPaintIntervalMs: 250,
      });
      map.setCity(cixi());
      frames.run(); // full paint at t = 1000
      const [a, b] = [cixi().names[3]!.grid_id, cixi().names[900]!.grid_id];
      now = 1100;
      map.applyDeltas([delta(a, "red")]);
      frames.run();
      map.applyDeltas([delta(b, "amber")]);
      frames.run();
      expect(map.stats().frames).toBe(1);
      expect(map.colourOf(a)).toBeNull();
      now = 1250;
      vi.advanceTimersByTime(150);
      frames.run();
      expect(map.stats()).toMatchObject({ frames: 2, partialRedraws: 1 });
      expect(map.colourOf(a)).toBe("red");
      expect(map.colourOf(b)).toBe("amber");
      map.destroy();
    } finally {
      vi.useRealTimers();
    }
  });

  it("leaves nothing behind when destroyed", () => {
    const { map, el, frames } = mapOnCixi();
    map.applyDeltas([delta(cixi().names[0]!.grid_id, "red")]);
    map.destroy();
    expect(frames.pending).toBe(0);
    expect(el.canvas.removed).toBe(true);
    expect([...el.canvas.listeners.values()].every((l) => l.length === 0)).toBe(true);
  });
});

describe("legendEntries", () => {
  it("speaks Chinese by default and English when asked", () => {
    const zh = ["正常", "有未办结事件", "重大或超期", "超期", "数据过期"];
    expect(legendEntries("zh-CN").map((e) => e.label)).toEqual(zh);
    expect(legendEntries("en").map((e) => e.label)).toEqual([
      "Normal",
      "Open incidents",
      "Major or overdue",
      "Overdue",
      "Data stale",
    ]);
  });
});

describe("GridMap on geometry as the contract allows it (issue 18)", () => {
  // Grid A: a clockwise square with a hole wound the same way; grid B: a
  // MultiPolygon of a square east of A and an exclave inside A's hole.
  const sq = (lon: number, lat: number, r: number, cw: boolean): number[][] => {
    const ring = [
      [lon - r, lat - r],
      [lon + r, lat - r],
      [lon + r, lat + r],
      [lon - r, lat + r],
      [lon - r, lat - r],
    ];
    return cw ? ring.reverse() : ring;
  };
  const grids = {
    type: "FeatureCollection",
    features: [
      {
        type: "Feature",
        properties: { grid_id: "A", level: "grid" },
        geometry: { type: "Polygon", coordinates: [sq(121.2, 30.2, 0.01, true), sq(121.2, 30.2, 0.003, true)] },
      },
      {
        type: "Feature",
        properties: { grid_id: "B", level: "grid" },
        geometry: {
          type: "MultiPolygon",
          coordinates: [[sq(121.23, 30.2, 0.01, false)], [sq(121.2, 30.2, 0.001, false)]],
        },
      },
    ],
  };

  it("leaves a hole unpainted whatever its winding, paints and hits the exclave in it", () => {
    const el = new FakeContainer(800, 400);
    const frames = new ManualFrames();
    const map = new GridMap(el as unknown as HTMLElement, {
      requestFrame: frames.request,
      cancelFrame: frames.cancel,
      pulse: false,
    });
    map.setCity({ grids });
    map.applyDeltas([delta("A", "red"), delta("B", "green")]);
    frames.run();

    const proj = City.from(grids).projection;
    const at = (lon: number, lat: number): [number, number] => [proj.x(lon), proj.y(lat)];
    const fills = el.canvas.context.calls.filter((c) => c.op === "fill" && c.target instanceof FakePath2D);
    const covering = (p: [number, number]) =>
      fills.filter((c) => filledAt(c.target as FakePath2D, c.rule ?? "nonzero", p[0], p[1]));
    const bodyOfA = at(121.2 + 0.007, 30.2);
    const inTheHole = at(121.2 + 0.002, 30.2); // in A's hole, outside B's exclave
    const exclave = at(121.2, 30.2);
    const aFill = covering(bodyOfA);
    expect(aFill).toHaveLength(1);
    expect(covering(inTheHole)).toHaveLength(0);
    const bFill = covering(at(121.23, 30.2));
    expect(bFill).toHaveLength(1);
    expect(covering(exclave).map((c) => c.style)).toEqual([bFill[0]!.style]);

    expect(map.hitTest(...map.toScreen(121.2, 30.2))).toBe("B");
    expect(map.hitTest(...map.toScreen(121.2 + 0.002, 30.2))).toBeNull();
    expect(map.hitTest(...map.toScreen(121.2 + 0.007, 30.2))).toBe("A");
    expect(map.hitTest(...map.toScreen(121.23, 30.2))).toBe("B");
  });
});
