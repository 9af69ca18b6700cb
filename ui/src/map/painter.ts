// Draws the city on the canvas from GridState: the whole view, or only the
// rectangles of the grids that changed (and the strips a pan uncovered).
//
// Why it is fast enough for a software-rendered 4K webview:
// - One Path2D per grid in metres, built once per city; a view change only
//   changes the canvas transform.
// - A frame with only status changes repaints just the changed grids'
//   rectangles: it clips to them, and redraws in layer order only what meets
//   them (found through the bucket index). Pan, zoom and resize redraw all.
// - The per-frame path allocates nothing: the affected list, rectangles and
//   query stamps are preallocated; callbacks are bound once; the loops over
//   grids read GridState's typed arrays through locals.

import type { City } from "./city";
import type { GridMapStats } from "./GridMap";
import type { Labels } from "./labels";
import { palette } from "./palette";
import type { Pulse } from "./pulse";
import { MAX_DIRTY_RECTS, meetsRect, mergeRects, newRects } from "./rects";
import { RED, type GridState } from "./state";
import type { View } from "./view";

/** Fill of each style bucket: 0-3 by colour code, 4-7 the same when stale, 8 red and overdue. */
const BUCKET_FILL = [
  palette.noData,
  palette.green,
  palette.amber,
  palette.red,
  palette.stale.none,
  palette.stale.green,
  palette.stale.amber,
  palette.stale.red,
  palette.overdueFill,
];

/** Pixels (CSS) around a grid's box that its outlines and halo may cover. */
const PAD_CSS = 9;
/** The same for a grid with neither halo: its border and anti-aliasing. */
const SMALL_PAD_CSS = 3;
/** Micro-grid borders appear when a typical grid is this wide on screen (CSS px). */
const MICRO_AT_PX = 150;

export class Painter {
  private paths: Path2D[] = [];
  private microPaths: (Path2D | null)[] = [];
  private allGrids: Path2D | null = null;
  private allTowns: Path2D | null = null;
  /**
   * Town borders cut into short runs with their boxes (metres: x0, y0, x1, y1).
   * A partial paint strokes only the runs that meet its rectangles: stroking the
   * whole county's borders under a clip cost ~3.5 ms a frame in WebKitGTK,
   * the rasterizer walking every scanline between the scattered rectangles.
   */
  private townRuns: Path2D[] = [];
  private townRunBox = new Float64Array(0);
  private readonly buckets: (Path2D | null)[] = BUCKET_FILL.map(() => null);
  private typicalGridM = 1;
  private hatch: CanvasPattern | null = null;

  // Scratch for one paint: the grids to draw, and the rectangles of a partial paint.
  private affected = new Int32Array(0);
  private affectedCount = 0;
  private readonly rects = newRects();
  /** The rectangle of `rects` being repainted. */
  private pass = 0;
  private readonly collect = (i: number): void => {
    this.affected[this.affectedCount++] = i;
  };

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly ctx: CanvasRenderingContext2D,
    private readonly view: View,
    private readonly state: GridState,
    private readonly pulse: Pulse,
    private readonly labels: Labels,
    private readonly counters: GridMapStats,
  ) {}

  /** Builds the paths of a new city (once: views and statuses never rebuild them). */
  load(city: City): void {
    this.paths = city.gridShapes.map((s) => pathOf(s.rings));
    this.microPaths = city.microShapes.map((ms) => (ms.length ? pathOf(ms.flatMap((s) => s.rings)) : null));
    this.allGrids = pathOf(city.gridShapes.flatMap((s) => s.rings));
    this.allTowns = pathOf(city.towns.flatMap((t) => t.shape.rings));
    this.cutTownRuns(city.towns.flatMap((t) => t.shape.rings));
    const widths = city.gridShapes.map((s) => Math.max(s.maxX - s.minX, s.maxY - s.minY)).sort((a, b) => a - b);
    this.typicalGridM = widths[widths.length >> 1] ?? 1;
    this.labels.load(city, this.typicalGridM);
    this.affected = new Int32Array(city.gridCount());
  }

  /** The canvas changed size or pixel ratio: the hatch tile and label sizes follow it. */
  resized(): void {
    this.hatch = null;
    this.labels.resized();
  }

  /**
   * Paints what GridState has pending: everything (view changed, too many
   * changes, a pan of more than the canvas) or only the dirty rectangles and
   * pan strips. False when nothing was painted. Needs a city.
   */
  paint(): boolean {
    const st = this.state;
    const shifted = st.shiftX !== 0 || st.shiftY !== 0;
    const shiftTooFar = Math.abs(st.shiftX) >= this.canvas.width || Math.abs(st.shiftY) >= this.canvas.height;
    if (st.needFull || st.dirtyCount > MAX_DIRTY_RECTS || shiftTooFar) {
      this.paintAll();
      return true;
    }
    if (st.dirtyCount > 0 || shifted) return this.paintDirty();
    return false;
  }

  private setWorldTransform(): void {
    const v = this.view;
    this.ctx.setTransform(v.k, 0, 0, -v.k, v.tx, v.ty);
  }

  private paintAll(): void {
    const ctx = this.ctx,
      st = this.state,
      city = st.city!;
    st.needFull = false;
    st.shiftX = st.shiftY = 0;
    this.counters.fullRedraws++;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = palette.background;
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    const pad = PAD_CSS / this.view.scale;
    const minX = this.view.worldX(0) - pad,
      maxX = this.view.worldX(this.view.cssW) + pad,
      maxY = this.view.worldY(0) + pad,
      minY = this.view.worldY(this.view.cssH) - pad;
    let n = 0;
    for (let i = 0; i < city.gridShapes.length; i++) {
      const s = city.gridShapes[i]!;
      if (s.maxX < minX || s.minX > maxX || s.maxY < minY || s.minY > maxY) continue;
      this.affected[n++] = i;
    }
    this.affectedCount = n;
    this.drawLayers(true, minX, minY, maxX, maxY);
  }

  /** Repaints the rectangles of the dirty grids only; false when none is on screen. */
  private paintDirty(): boolean {
    const ctx = this.ctx,
      st = this.state,
      city = st.city!;
    const { painted, overdue, dirty, dirtyCount, selectedIndex } = st;
    // A grid drawn or to be drawn with a halo (overdue, selected) clears a wider margin.
    const bigPad = PAD_CSS * this.view.dpr,
      smallPad = SMALL_PAD_CSS * this.view.dpr;
    const { k, tx, ty } = this.view;
    const W = this.canvas.width,
      H = this.canvas.height;
    const R = this.rects;
    let r = 0;
    if (st.shiftX !== 0 || st.shiftY !== 0) {
      // A pan: move what is drawn, then repaint the strips it uncovered like any dirty rectangle.
      const sx = st.shiftX,
        sy = st.shiftY;
      st.shiftX = st.shiftY = 0;
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.drawImage(this.canvas, sx, sy);
      ctx.restore();
      if (sx !== 0) R.set(sx > 0 ? [0, 0, sx, H] : [W + sx, 0, W, H], 4 * r++);
      // The horizontal strip leaves out the vertical one: merged, the two would make the whole canvas.
      const x0 = sx > 0 ? sx : 0,
        x1 = sx < 0 ? W + sx : W;
      if (sy !== 0) R.set(sy > 0 ? [x0, 0, x1, sy] : [x0, H + sy, x1, H], 4 * r++);
    }
    for (let d = 0; d < dirtyCount; d++) {
      const i = dirty[d]!;
      const s = city.gridShapes[i]!;
      const padPx = painted[i]! & (4 | 32) || overdue[i]! > 0 || i === selectedIndex ? bigPad : smallPad;
      const x0 = Math.max(0, Math.floor(s.minX * k + tx - padPx)),
        x1 = Math.min(W, Math.ceil(s.maxX * k + tx + padPx)),
        y0 = Math.max(0, Math.floor(ty - s.maxY * k - padPx)),
        y1 = Math.min(H, Math.ceil(ty - s.minY * k + padPx));
      if (x1 <= x0 || y1 <= y0) continue;
      R[4 * r] = x0;
      R[4 * r + 1] = y0;
      R[4 * r + 2] = x1;
      R[4 * r + 3] = y1;
      r++;
    }
    r = mergeRects(R, r);
    if (r === 0) return false;
    this.counters.partialRedraws++;

    // One clipped pass per rectangle. A single clip made of many scattered
    // rectangles becomes an anti-aliased mask as large as their union in Skia,
    // and every draw under it paid for that area (~5 ms a call at 4K).
    const pad = PAD_CSS / this.view.scale;
    for (let q = 0; q < r; q++) {
      this.pass = q;
      const x0 = R[4 * q]!,
        y0 = R[4 * q + 1]!,
        x1 = R[4 * q + 2]!,
        y1 = R[4 * q + 3]!;
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.beginPath();
      ctx.rect(x0, y0, x1 - x0, y1 - y0);
      ctx.clip();
      ctx.fillStyle = palette.background;
      ctx.fillRect(x0, y0, x1 - x0, y1 - y0);
      // Everything whose box meets the rectangle (widened by the outline pad) may have pixels in it.
      const wx0 = (x0 - tx) / k - pad,
        wx1 = (x1 - tx) / k + pad,
        wy1 = (ty - y0) / k + pad,
        wy0 = (ty - y1) / k - pad;
      this.affectedCount = 0;
      city.index.beginQuery();
      city.index.visitRect(wx0, wy0, wx1, wy1, this.collect);
      this.drawLayers(false, wx0, wy0, wx1, wy1);
      ctx.restore();
    }
    return true;
  }

  /**
   * Draws, in layer order, the grids in `affected` and the towns and labels
   * meeting the world box. `full` strokes all grid borders as one path.
   */
  private drawLayers(full: boolean, minX: number, minY: number, maxX: number, maxY: number): void {
    const ctx = this.ctx,
      st = this.state,
      city = st.city!,
      n = this.affectedCount,
      list = this.affected;
    const { colour, overdue: overdueN, stale: staleFlag, painted, outside, selectedIndex: sel } = st;
    const paths = this.paths,
      microPaths = this.microPaths;
    const px = 1 / this.view.scale; // one CSS pixel in metres
    this.setWorldTransform();

    // In WebKitGTK each canvas call costs tens of microseconds whatever it draws, so
    // grids are gathered into one path per fill style and drawn with one call each:
    // a few Path2D objects a frame, against hundreds of calls saved.
    const buckets = this.buckets;
    let stale: Path2D | null = null,
      overdue: Path2D | null = null,
      micro: Path2D | null = null,
      borders: Path2D | null = null,
      veiled: Path2D | null = null;
    const showMicro = this.view.scale * this.typicalGridM >= MICRO_AT_PX;
    for (let q = 0; q < n; q++) {
      const i = list[q]!;
      const c = colour[i]!;
      const late = overdueN[i]! > 0;
      const b = staleFlag[i] ? 4 + c : c === RED && late ? 8 : c;
      (buckets[b] ??= new Path2D()).addPath(paths[i]!);
      if (staleFlag[i]) (stale ??= new Path2D()).addPath(paths[i]!);
      if (late) (overdue ??= new Path2D()).addPath(paths[i]!);
      if (showMicro && microPaths[i]) (micro ??= new Path2D()).addPath(microPaths[i]!);
      if (!full) (borders ??= new Path2D()).addPath(paths[i]!);
      if (outside?.[i]) (veiled ??= new Path2D()).addPath(paths[i]!);
      painted[i] = 16 | c | (late ? 4 : 0) | (staleFlag[i] ? 8 : 0) | (i === sel ? 32 : 0);
    }
    for (let b = 0; b < buckets.length; b++) {
      const path = buckets[b];
      if (!path) continue;
      ctx.fillStyle = BUCKET_FILL[b]!;
      // Even-odd: GeoJSON lets a hole wind either way, and under the
      // default non-zero rule a hole wound like its ring is painted over
      // (issue 18). Grids never overlap, so even-odd changes nothing else.
      ctx.fill(path, "evenodd");
      buckets[b] = null;
    }

    const hatch = stale ? this.hatchPattern() : null;
    if (stale && hatch) {
      ctx.fillStyle = hatch;
      ctx.fill(stale, "evenodd");
    }

    // An emergency plan's zone stands out: every grid outside it is dimmed.
    if (veiled) {
      ctx.fillStyle = palette.outsideZone;
      ctx.fill(veiled, "evenodd");
    }

    if (micro) {
      ctx.strokeStyle = palette.microBorder;
      ctx.lineWidth = 1 / (this.view.scale * this.view.dpr);
      ctx.stroke(micro);
    }

    ctx.strokeStyle = palette.gridBorder;
    // One device pixel with mitred joins: Skia then takes its hairline path instead of
    // building and filling a stroke outline, several times cheaper for thousands of edges.
    ctx.lineWidth = 1 / (this.view.scale * this.view.dpr);
    ctx.lineJoin = "miter";
    if (full) ctx.stroke(this.allGrids!);
    else if (borders) ctx.stroke(borders);

    if (overdue) {
      ctx.strokeStyle = palette.overduePulse;
      ctx.globalAlpha = this.pulse.haloAlpha();
      ctx.lineWidth = this.pulse.haloWidthCss() * px;
      ctx.stroke(overdue);
      ctx.globalAlpha = 1;
      ctx.strokeStyle = palette.overdueOutline;
      ctx.lineWidth = 2.5 * px;
      ctx.stroke(overdue);
    }

    const towns = full ? this.allTowns : this.townRunsInRects();
    const meetsCity = minX < city.maxX && maxX > city.minX && minY < city.maxY && maxY > city.minY;
    if (towns && meetsCity) {
      ctx.strokeStyle = palette.townBorder;
      ctx.lineWidth = 2.5 * px;
      ctx.lineCap = "round";
      ctx.stroke(towns);
      ctx.lineCap = "butt";
    }

    if (sel >= 0 && (full || this.isAffected(sel))) {
      ctx.strokeStyle = palette.selectedHalo;
      ctx.lineWidth = 7 * px;
      ctx.stroke(paths[sel]!);
      ctx.strokeStyle = palette.selected;
      ctx.lineWidth = 3.5 * px;
      ctx.stroke(paths[sel]!);
    }

    this.labels.draw(full, this.affected, this.affectedCount, this.rects, this.pass);
  }

  private cutTownRuns(rings: readonly Float32Array[]): void {
    const RUN = 8;
    const runs: Path2D[] = [],
      boxes: number[] = [];
    for (const r of rings) {
      const n = r.length >> 1;
      for (let a = 0; a < n; a += RUN) {
        const p = new Path2D();
        let x0 = Infinity,
          y0 = Infinity,
          x1 = -Infinity,
          y1 = -Infinity;
        for (let j = 0; j <= RUN && a + j <= n; j++) {
          const k = (a + j) % n;
          const x = r[2 * k]!,
            y = r[2 * k + 1]!;
          if (j === 0) p.moveTo(x, y);
          else p.lineTo(x, y);
          x0 = Math.min(x0, x);
          y0 = Math.min(y0, y);
          x1 = Math.max(x1, x);
          y1 = Math.max(y1, y);
        }
        runs.push(p);
        boxes.push(x0, y0, x1, y1);
      }
    }
    this.townRuns = runs;
    this.townRunBox = Float64Array.from(boxes);
  }

  /** The town border runs meeting the rectangle being repainted, as one path, or null. */
  private townRunsInRects(): Path2D | null {
    const { k, tx, ty } = this.view;
    const pad = 3 * this.view.dpr;
    const b = this.townRunBox;
    let path: Path2D | null = null;
    for (let q = 0; q < this.townRuns.length; q++) {
      const x0 = b[4 * q]! * k + tx - pad,
        x1 = b[4 * q + 2]! * k + tx + pad,
        y0 = ty - b[4 * q + 3]! * k - pad,
        y1 = ty - b[4 * q + 1]! * k + pad;
      if (meetsRect(this.rects, this.pass, x0, y0, x1, y1)) (path ??= new Path2D()).addPath(this.townRuns[q]!);
    }
    return path;
  }

  private isAffected(i: number): boolean {
    for (let q = 0; q < this.affectedCount; q++) if (this.affected[q] === i) return true;
    return false;
  }

  /** Diagonal light stripes, 8 device pixels apart, fixed to the screen whatever the zoom. */
  private hatchPattern(): CanvasPattern | null {
    if (!this.hatch) {
      const size = Math.max(8, Math.round(8 * this.view.dpr));
      const tile = this.canvas.ownerDocument.createElement("canvas");
      tile.width = tile.height = size;
      const t = tile.getContext("2d");
      if (!t) return null;
      t.strokeStyle = palette.staleHatch;
      t.lineWidth = Math.max(1.5, 1.5 * this.view.dpr);
      t.beginPath();
      t.moveTo(-1, size + 1);
      t.lineTo(size + 1, -1);
      t.stroke();
      this.hatch = this.ctx.createPattern(tile, "repeat");
    }
    if (this.hatch && typeof this.hatch.setTransform === "function") {
      // The pattern is drawn under the world transform; undo it so stripes stay screen-aligned.
      const { k, tx, ty } = this.view;
      this.hatch.setTransform({ a: 1 / k, b: 0, c: 0, d: -1 / k, e: -tx / k, f: ty / k });
    }
    return this.hatch;
  }
}

function pathOf(rings: readonly Float32Array[]): Path2D {
  const p = new Path2D();
  for (const r of rings) {
    p.moveTo(r[0]!, r[1]!);
    for (let k = 2; k < r.length; k += 2) p.lineTo(r[k]!, r[k + 1]!);
    p.closePath();
  }
  return p;
}
