import { describe, expect, it } from "vitest";
import { meetsRect, mergeRects, newRects } from "./rects";

function rects(...boxes: number[][]): Float64Array {
  const R = newRects();
  boxes.forEach((b, q) => R.set(b, 4 * q));
  return R;
}

describe("mergeRects", () => {
  it("merges overlapping rectangles, also through a chain, and keeps separate ones", () => {
    // a overlaps b, b overlaps c (a and c do not), d is apart.
    const R = rects([0, 0, 10, 10], [8, 8, 20, 20], [18, 0, 30, 9], [100, 100, 110, 110]);
    const n = mergeRects(R, 4);
    expect(n).toBe(2);
    const got = [Array.from(R.subarray(0, 4)), Array.from(R.subarray(4, 8))];
    expect(got).toContainEqual([0, 0, 30, 20]);
    expect(got).toContainEqual([100, 100, 110, 110]);
  });

  it("leaves rectangles that only touch apart: no pixel is in both", () => {
    const R = rects([0, 0, 10, 10], [10, 0, 20, 10]);
    expect(mergeRects(R, 2)).toBe(2);
  });
});

describe("meetsRect", () => {
  it("counts a box touching the rectangle's edge as meeting it", () => {
    const R = rects([0, 0, 10, 10], [50, 50, 60, 60]);
    expect(meetsRect(R, 0, 10, 10, 20, 20)).toBe(true);
    expect(meetsRect(R, 0, 11, 0, 20, 5)).toBe(false);
    expect(meetsRect(R, 1, 55, 55, 56, 56)).toBe(true);
  });
});
