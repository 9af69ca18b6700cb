// Where the map looks and how it gets there: fitting the city or an emergency
// plan's zone, focusing a grid, zooming about a point and panning, and the
// conversions between canvas CSS pixels and lon/lat. The arithmetic (centre,
// scale, animation) is View's; this adds what needs the city and the frame
// loop: remembering whether the user moved the map, the zone and its veil,
// and turning a pan into a shift of the picture already painted.

import type { City } from "./city";
import type { GridState } from "./state";
import { View } from "./view";

/** What the viewport asks of the frame loop. */
export interface FrameRequests {
  /** Asks for a frame (the view animates, or a pan waits to be painted). */
  schedule(): void;
  /** Asks for a frame that redraws everything. */
  invalidate(): void;
  now(): number;
}

export class Viewport {
  readonly view = new View();
  private fitted = false;
  private userMoved = false;
  /** Grids to fit once the map has a size (see fitGrids). */
  private zone: readonly string[] | null = null;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly state: GridState,
    private readonly frames: FrameRequests,
  ) {}

  /** A new city: its bounds, fitted afresh (and to the zone, if any) once the map has a size. */
  load(city: City): void {
    this.view.setBounds(city);
    this.fitted = false;
    this.userMoved = false;
    this.veilOutsideZone();
    this.fitIfReady();
  }

  /** The canvas has a new size: fit again unless the user has moved the map. */
  resized(): void {
    if (!this.userMoved) this.fitted = false;
    this.fitIfReady();
  }

  /** Pans and zooms (animated) so the grid fills about a third of the map. Unknown ids do nothing. */
  focus(gridId: string): void {
    const city = this.state.city;
    const i = city?.indexOf(gridId);
    if (i === undefined || !city || this.view.cssW === 0) return;
    const s = city.gridShapes[i]!;
    const size = Math.max(s.maxX - s.minX, s.maxY - s.minY, 1);
    const scale = this.view.clampScale((Math.min(this.view.cssW, this.view.cssH) * 0.33) / size);
    this.userMoved = true;
    this.view.animateTo(this.frames.now(), (s.minX + s.maxX) / 2, (s.minY + s.maxY) / 2, scale);
    this.frames.schedule();
  }

  /** Pans and zooms (animated) so that every grid of `gridIds` shows: an emergency plan's zone. */
  fitGrids(gridIds: readonly string[]): void {
    // Kept, so a map that has no size yet fits the zone once it has one.
    this.zone = gridIds;
    this.veilOutsideZone();
    const city = this.state.city;
    if (!city || this.view.cssW === 0) return;
    let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const id of gridIds) {
      const i = city.indexOf(id);
      if (i === undefined) continue;
      const s = city.gridShapes[i]!;
      minX = Math.min(minX, s.minX);
      minY = Math.min(minY, s.minY);
      maxX = Math.max(maxX, s.maxX);
      maxY = Math.max(maxY, s.maxY);
    }
    if (minX > maxX) return;
    const margin = 1.1;
    const scale = this.view.clampScale(
      Math.min(this.view.cssW / ((maxX - minX) * margin || 1), this.view.cssH / ((maxY - minY) * margin || 1)),
    );
    this.userMoved = true;
    this.view.animateTo(this.frames.now(), (minX + maxX) / 2, (minY + maxY) / 2, scale);
    this.frames.schedule();
  }

  /** Back to the whole city (animated). */
  fitCity(): void {
    this.zone = null;
    this.veilOutsideZone();
    const c = this.state.city;
    if (!c || this.view.cssW === 0) return;
    this.userMoved = false;
    this.view.animateTo(this.frames.now(), (c.minX + c.maxX) / 2, (c.minY + c.maxY) / 2, this.view.fitScale());
    this.frames.schedule();
  }

  /** Zooms by a factor (animated) about a canvas point in CSS pixels, the middle by default. */
  zoomBy(factor: number, sx?: number, sy?: number): void {
    if (!this.state.city) return;
    this.userMoved = true;
    this.view.zoomBy(this.frames.now(), factor, sx, sy);
    this.frames.schedule();
  }

  /**
   * Moves the map by CSS pixels (the content follows the pointer: positive dx
   * moves it right). The move is rounded to whole device pixels so the next
   * frame can shift the picture already on the canvas and paint only the strips
   * that come into view, rather than the whole city.
   */
  panBy(dxCss: number, dyCss: number): void {
    this.userMoved = true;
    const v = this.view,
      st = this.state;
    const tx0 = v.tx,
      ty0 = v.ty;
    v.panBy(Math.round(dxCss * v.dpr) / v.dpr, Math.round(dyCss * v.dpr) / v.dpr);
    const sx = v.tx - tx0,
      sy = v.ty - ty0;
    if (!st.needFull && Math.abs(sx - Math.round(sx)) < 1e-6 && Math.abs(sy - Math.round(sy)) < 1e-6) {
      st.shiftX += Math.round(sx);
      st.shiftY += Math.round(sy);
      this.frames.schedule();
    } else {
      this.frames.invalidate();
    }
  }

  /** Where a lon/lat point is on the canvas, in CSS pixels. */
  toScreen(lon: number, lat: number): [number, number] {
    if (!this.state.city) return [0, 0];
    const p = this.state.city.projection;
    return [this.view.screenX(p.x(lon)), this.view.screenY(p.y(lat))];
  }

  /** The lon/lat under a canvas point in CSS pixels. */
  toLonLat(x: number, y: number): [number, number] {
    if (!this.state.city) return [0, 0];
    const p = this.state.city.projection;
    return [p.lon(this.view.worldX(x)), p.lat(this.view.worldY(y))];
  }

  /** Whether a canvas point in CSS pixels is on the canvas. */
  onCanvas(x: number, y: number): boolean {
    return x >= 0 && y >= 0 && x < this.view.cssW && y < this.view.cssH;
  }

  private fitIfReady(): void {
    if (this.fitted || !this.state.city || this.view.cssW === 0 || this.view.cssH === 0) return;
    this.view.fit();
    this.fitted = true;
    // The zone animates in from the whole city, which also tells the hall where it is.
    if (this.zone) this.fitGrids(this.zone);
  }

  /** Marks the grids outside the zone, to be drawn under a veil (none without a zone). */
  private veilOutsideZone(): void {
    const city = this.state.city;
    const outside = city && this.zone ? new Uint8Array(city.gridCount()).fill(1) : null;
    if (outside && city && this.zone) {
      for (const id of this.zone) {
        const i = city.indexOf(id);
        if (i !== undefined) outside[i] = 0;
      }
    }
    this.state.outside = outside;
    this.canvas.setAttribute("data-zone", String(this.zone?.length ?? 0));
    this.frames.invalidate();
  }
}
