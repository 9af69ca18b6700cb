// Device-pixel rectangles of a partial paint, kept flat in one preallocated
// Float64Array (x0, y0, x1, y1 per rectangle) so a frame allocates nothing.
// Plain functions: the painter fills and merges the list, and it and the
// labels ask whether a box meets the rectangle being repainted.

/** Above this many changed grids in one frame, one full redraw is cheaper than clipping to each. */
export const MAX_DIRTY_RECTS = 240;

/** Room for the dirty grids' rectangles and the two strips a pan uncovers. */
export function newRects(): Float64Array {
  return new Float64Array((MAX_DIRTY_RECTS + 2) * 4);
}

/** Merges overlapping rectangles (in place) so no pixel is painted twice; returns the new count. */
export function mergeRects(R: Float64Array, count: number): number {
  let r = count,
    merged = true;
  while (merged) {
    merged = false;
    for (let a = 0; a < r; a++) {
      for (let b = a + 1; b < r; b++) {
        if (R[4 * a]! >= R[4 * b + 2]! || R[4 * b]! >= R[4 * a + 2]!) continue;
        if (R[4 * a + 1]! >= R[4 * b + 3]! || R[4 * b + 1]! >= R[4 * a + 3]!) continue;
        R[4 * a] = Math.min(R[4 * a]!, R[4 * b]!);
        R[4 * a + 1] = Math.min(R[4 * a + 1]!, R[4 * b + 1]!);
        R[4 * a + 2] = Math.max(R[4 * a + 2]!, R[4 * b + 2]!);
        R[4 * a + 3] = Math.max(R[4 * a + 3]!, R[4 * b + 3]!);
        r--;
        R.copyWithin(4 * b, 4 * r, 4 * r + 4);
        b--;
        merged = true;
      }
    }
  }
  return r;
}

/** Whether a device-pixel box meets rectangle `q` of `R` (edges touching count). */
export function meetsRect(R: Float64Array, q: number, x0: number, y0: number, x1: number, y1: number): boolean {
  const r = 4 * q;
  return x1 >= R[r]! && x0 <= R[r + 2]! && y1 >= R[r + 1]! && y0 <= R[r + 3]!;
}
