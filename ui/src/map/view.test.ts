import { describe, expect, it } from "vitest";
import { View } from "./view";

function cityView(): View {
  const v = new View();
  v.cssW = 1600;
  v.cssH = 900;
  v.setBounds({ minX: -20_000, minY: -15_000, maxX: 20_000, maxY: 15_000 });
  v.fit();
  return v;
}

describe("View", () => {
  it("fits the whole extent and maps screen and world both ways", () => {
    const v = cityView();
    expect(v.screenX(-20_000)).toBeGreaterThanOrEqual(0);
    expect(v.screenY(15_000)).toBeGreaterThanOrEqual(0);
    expect(v.screenY(-15_000)).toBeLessThanOrEqual(900);
    expect(v.worldX(v.screenX(1234))).toBeCloseTo(1234, 6);
    expect(v.worldY(v.screenY(-4321))).toBeCloseTo(-4321, 6);
    // North is up: a larger y is higher on the screen.
    expect(v.screenY(1000)).toBeLessThan(v.screenY(0));
  });

  it("zooms about the pointer: the point under it stays under it all the way", () => {
    const v = cityView();
    const wx = v.worldX(300),
      wy = v.worldY(200);
    const s0 = v.scale;
    v.zoomBy(0, 4, 300, 200);
    for (const t of [30, 75, 150]) {
      v.step(t);
      expect(v.screenX(wx)).toBeCloseTo(300, 6);
      expect(v.screenY(wy)).toBeCloseTo(200, 6);
    }
    expect(v.scale).toBeCloseTo(s0 * 4, 9);
    expect(v.animating).toBe(false);
  });

  it("keeps the centre inside the extent and the zoom within limits", () => {
    const v = cityView();
    v.panBy(-1e9, 1e9);
    expect(v.cx).toBe(20_000);
    expect(v.cy).toBe(15_000); // dragging the content down looks further north
    expect(v.clampScale(v.fitScale() * 1e6)).toBeCloseTo(v.fitScale() * 96, 9);
    expect(v.clampScale(0)).toBeCloseTo(v.fitScale() * 0.8, 9);
  });
});
