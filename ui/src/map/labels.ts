// Names on the map, drawn last in each paint, in device pixels with no world
// transform so text keeps its size at any zoom: town names always (those that
// fit without overlapping a larger town's), grid names once zoomed in far
// enough to read them. The town layout is remembered and redone only when the
// scale or the font changes, so panning and status paints measure nothing.

import type { City } from "./city";
import { palette } from "./palette";
import { meetsRect } from "./rects";
import type { GridState } from "./state";
import type { View } from "./view";

/** Grid names appear when a typical grid is this wide on screen (CSS px). */
const GRID_NAMES_AT_PX = 200;
const FONT_FAMILY = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif';

export class Labels {
  private townLabelW = new Float64Array(0);
  private townLabelFont = "";
  /** Town label layout: shown or not, vertical offset (device px), the scale it was made at, and priority order. */
  private townLabelShown = new Uint8Array(0);
  private townLabelDy = new Float64Array(0);
  private townLabelScale = -1;
  private townOrder: number[] = [];
  private typicalGridM = 1;

  constructor(
    private readonly ctx: CanvasRenderingContext2D,
    private readonly view: View,
    private readonly state: GridState,
    /** Town name size in CSS pixels, or undefined for the default (see townLabelPx). */
    private readonly labelPxOption: number | undefined,
  ) {}

  /** Takes a new city: town priority by area, widths to be measured on the next paint. */
  load(city: City, typicalGridM: number): void {
    this.townLabelW = new Float64Array(city.towns.length);
    this.townLabelFont = "";
    const area = ({ shape: s }: (typeof city.towns)[number]): number => (s.maxX - s.minX) * (s.maxY - s.minY);
    this.townOrder = city.towns.map((_, k) => k).sort((a, b) => area(city.towns[b]!) - area(city.towns[a]!));
    this.typicalGridM = typicalGridM;
  }

  /** The canvas changed size or pixel ratio: measure and lay out again on the next paint. */
  resized(): void {
    this.townLabelFont = "";
  }

  /**
   * Draws the names of the grids in `affected[0..count)` and the town names;
   * in a partial paint (`full` false) only the town names meeting rectangle
   * `pass` of `rects`.
   */
  draw(full: boolean, affected: Int32Array, count: number, rects: Float64Array, pass: number): void {
    const ctx = this.ctx,
      city = this.state.city!,
      dpr = this.view.dpr;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.lineJoin = "round";

    if (this.view.scale * this.typicalGridM >= GRID_NAMES_AT_PX) {
      const size = Math.round(Math.min(22, Math.max(13, this.view.scale * this.typicalGridM * 0.08)) * dpr);
      ctx.font = `500 ${size}px ${FONT_FAMILY}`;
      ctx.lineWidth = size / 4;
      ctx.strokeStyle = palette.labelHalo;
      ctx.fillStyle = palette.gridLabel;
      for (let q = 0; q < count; q++) {
        const i = affected[q]!;
        const name = city.gridNames[i];
        if (!name) continue;
        const x = this.view.screenX(city.gridLabelX[i]!) * dpr,
          y = this.view.screenY(city.gridLabelY[i]!) * dpr;
        ctx.strokeText(name, x, y);
        ctx.fillText(name, x, y);
      }
    }

    const size = Math.round(this.townLabelPx() * dpr);
    const font = `700 ${size}px ${FONT_FAMILY}`;
    ctx.font = font;
    if (font !== this.townLabelFont) {
      this.townLabelFont = font;
      city.towns.forEach((t, k) => (this.townLabelW[k] = ctx.measureText(t.name).width));
      this.townLabelScale = -1;
    }
    if (this.townLabelScale !== this.view.scale) this.layoutTownLabels(city, size);
    ctx.lineWidth = size / 5;
    ctx.strokeStyle = palette.labelHalo;
    ctx.fillStyle = palette.townLabel;
    const halfH = 0.7 * size;
    for (let t = 0; t < city.towns.length; t++) {
      if (!this.townLabelShown[t]) continue;
      const town = city.towns[t]!;
      const halfW = this.townLabelW[t]! / 2 + size / 8;
      const x = this.view.screenX(town.labelX) * dpr,
        y = this.view.screenY(town.labelY) * dpr + this.townLabelDy[t]!;
      if (!full && !meetsRect(rects, pass, x - halfW, y - halfH, x + halfW, y + halfH)) continue;
      ctx.strokeText(town.name, x, y);
      ctx.fillText(town.name, x, y);
    }
  }

  /**
   * Decides which town names fit at this zoom: larger towns first, each at its
   * label point or just above or below it, and a name that would overlap one
   * already placed is left out (it appears when zoomed in). Panning keeps the
   * layout; only a change of scale or font redoes it.
   */
  private layoutTownLabels(city: City, size: number): void {
    const dpr = this.view.dpr,
      n = city.towns.length;
    this.townLabelScale = this.view.scale;
    this.townLabelShown = new Uint8Array(n);
    this.townLabelDy = new Float64Array(n);
    const placed: number[] = []; // x0, y0, x1, y1 in device px relative to the world origin
    const halfH = 0.6 * size;
    const free = (x0: number, y0: number, x1: number, y1: number): boolean => {
      for (let k = 0; k < placed.length; k += 4) {
        if (x1 > placed[k]! && x0 < placed[k + 2]! && y1 > placed[k + 1]! && y0 < placed[k + 3]!) return false;
      }
      return true;
    };
    for (const t of this.townOrder) {
      const town = city.towns[t]!;
      const halfW = this.townLabelW[t]! / 2 + size / 4;
      const x = town.labelX * this.view.scale * dpr,
        y = -town.labelY * this.view.scale * dpr;
      for (const dy of [0, -2.2 * halfH, 2.2 * halfH]) {
        if (!free(x - halfW, y + dy - halfH, x + halfW, y + dy + halfH)) continue;
        placed.push(x - halfW, y + dy - halfH, x + halfW, y + dy + halfH);
        this.townLabelShown[t] = 1;
        this.townLabelDy[t] = dy;
        break;
      }
    }
  }

  /** Town name size in CSS pixels: the option, or 1/36 of the map's height, 14 to 48. */
  private townLabelPx(): number {
    return this.labelPxOption ?? Math.min(48, Math.max(14, this.view.cssH / 36));
  }
}
