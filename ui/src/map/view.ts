// Where the map looks: the world point (metres) at the middle of the canvas,
// the zoom (CSS pixels per metre), the canvas size, and the ~150 ms zoom
// animation. Plain arithmetic with no canvas, so GridMap's painting code only
// asks it for a transform and its tests need no DOM.

/** A box in metres. */
export interface Box {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

const ZOOM_MS = 150;
/** The whole city fills this share of the smaller side when fitted. */
const FIT = 0.96;
/** Zoom limits, relative to the fitted scale. */
const MIN_ZOOM = 0.8;
const MAX_ZOOM = 96;

interface Animation {
  t0: number;
  fromCx: number;
  fromCy: number;
  fromScale: number;
  toCx: number;
  toCy: number;
  toScale: number;
  /** When set, this world point stays under this screen point (CSS px) throughout. */
  anchor: { sx: number; sy: number; wx: number; wy: number } | null;
}

export class View {
  cx = 0;
  cy = 0;
  /** CSS pixels per metre. */
  scale = 1;
  cssW = 0;
  cssH = 0;
  dpr = 1;
  private anim: Animation | null = null;
  private bounds: Box = { minX: 0, minY: 0, maxX: 1, maxY: 1 };

  /** The extent the view fits to and keeps its centre inside. */
  setBounds(b: Box): void {
    this.bounds = b;
  }

  get animating(): boolean {
    return this.anim !== null;
  }

  worldX(sx: number): number {
    return this.cx + (sx - this.cssW / 2) / this.scale;
  }

  worldY(sy: number): number {
    return this.cy - (sy - this.cssH / 2) / this.scale;
  }

  screenX(x: number): number {
    return (x - this.cx) * this.scale + this.cssW / 2;
  }

  screenY(y: number): number {
    return this.cssH / 2 - (y - this.cy) * this.scale;
  }

  /** Device pixels per metre; device x = x·k + tx, device y = ty − y·k. */
  get k(): number {
    return this.scale * this.dpr;
  }

  get tx(): number {
    return (this.cssW / 2 - this.cx * this.scale) * this.dpr;
  }

  get ty(): number {
    return (this.cssH / 2 + this.cy * this.scale) * this.dpr;
  }

  fitScale(): number {
    const b = this.bounds;
    const w = Math.max(b.maxX - b.minX, 1),
      h = Math.max(b.maxY - b.minY, 1);
    return Math.min((this.cssW * FIT) / w, (this.cssH * FIT) / h);
  }

  clampScale(s: number): number {
    const fit = this.fitScale();
    return Math.min(fit * MAX_ZOOM, Math.max(fit * MIN_ZOOM, s));
  }

  /** Jumps to the whole extent. */
  fit(): void {
    const b = this.bounds;
    this.cx = (b.minX + b.maxX) / 2;
    this.cy = (b.minY + b.maxY) / 2;
    this.scale = this.fitScale();
    this.anim = null;
  }

  animateTo(now: number, cx: number, cy: number, scale: number, anchor: Animation["anchor"] = null): void {
    const from = { fromCx: this.cx, fromCy: this.cy, fromScale: this.scale };
    this.anim = { t0: now, ...from, toCx: cx, toCy: cy, toScale: scale, anchor };
  }

  /** Zooms by a factor (animated) keeping the world point under (sx, sy) in place. */
  zoomBy(now: number, factor: number, sx = this.cssW / 2, sy = this.cssH / 2): void {
    const target = this.clampScale((this.anim ? this.anim.toScale : this.scale) * factor);
    this.animateTo(now, this.cx, this.cy, target, { sx, sy, wx: this.worldX(sx), wy: this.worldY(sy) });
  }

  /** Moves the content by CSS pixels (positive dx moves it right); stops any animation. */
  panBy(dx: number, dy: number): void {
    this.anim = null;
    this.cx -= dx / this.scale;
    this.cy += dy / this.scale;
    this.clampCentre();
  }

  /** Advances the animation to `now`; true when the view moved. */
  step(now: number): boolean {
    const a = this.anim;
    if (!a) return false;
    const t = Math.min(1, Math.max(0, (now - a.t0) / ZOOM_MS));
    const e = 1 - (1 - t) ** 3;
    this.scale = a.fromScale * (a.toScale / a.fromScale) ** e;
    if (a.anchor) {
      this.cx = a.anchor.wx - (a.anchor.sx - this.cssW / 2) / this.scale;
      this.cy = a.anchor.wy + (a.anchor.sy - this.cssH / 2) / this.scale;
    } else {
      this.cx = a.fromCx + (a.toCx - a.fromCx) * e;
      this.cy = a.fromCy + (a.toCy - a.fromCy) * e;
    }
    this.clampCentre();
    if (t >= 1) this.anim = null;
    return true;
  }

  private clampCentre(): void {
    const b = this.bounds;
    this.cx = Math.min(b.maxX, Math.max(b.minX, this.cx));
    this.cy = Math.min(b.maxY, Math.max(b.minY, this.cy));
  }
}
