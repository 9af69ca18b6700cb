// The wall's live map: every grid of the city on one Canvas2D, coloured by its
// status, redrawn as deltas arrive. A framework-free class with a small
// surface (`new GridMap(el, opts)`, `setCity`, `applyDeltas`, `select`,
// `focus`, `destroy`) so the Svelte wall owns it through a thin wrapper.
//
// Why it is fast enough for a software-rendered 4K webview:
// - Geometry is projected once into Float32Arrays and turned into one Path2D
//   per grid in metres; a view change only changes the canvas transform.
// - `applyDeltas` writes into typed arrays and marks grids dirty; nothing is
//   drawn until the next animation frame, so a burst of thousands of deltas is
//   one paint, and the latest state of each grid wins.
// - A frame with only status changes repaints just the changed grids'
//   rectangles: it clips to them, and redraws in layer order only what meets
//   them (found through the bucket index). Pan, zoom and resize redraw all.
// - The per-frame path allocates nothing: dirty lists, rectangles and query
//   stamps are preallocated; callbacks are bound once.

import type { Language } from "../bindings/Language";
import { City, type FeatureCollection, type GridLabel } from "./city";
import { palette, type GridColour } from "./palette";
import { View } from "./view";

/** One grid's new status, as the wall's state sends it. */
export interface GridDelta {
  grid_id: string;
  colour: GridColour;
  /** Overdue incidents in the grid. */
  overdue: number;
  /** Open incidents in the grid. */
  open: number;
  /** True when the status is old (the upstream link is down or lagging). */
  stale?: boolean;
}

/** What `setCity` takes: the upstream's own collections, already parsed. */
export interface CityData {
  /** `GET /api/v1/grids/geometry`: grids and micro-grids. */
  grids: FeatureCollection;
  /** The towns' collection (`code`, `name`, `centroid`), for borders and names. */
  towns?: FeatureCollection;
  /** Grid records (`grid_id`, `name`, `centroid`), for grid names when zoomed in. */
  names?: readonly GridLabel[];
}

export interface GridMapOptions {
  /** Expose `window.__gridwallMap` for end-to-end tests. */
  testHooks?: boolean;
  /** Pulse the outline of overdue grids (default: on unless the system asks for reduced motion). */
  pulse?: boolean;
  /** Town name size in CSS pixels (default: 1/36 of the map's height, 14 to 48). */
  labelPx?: number;
  /** Language for the canvas' accessible label. */
  lang?: Language;
  /**
   * Ask for a CPU-backed canvas (`willReadFrequently`), the default. Measured in
   * WebKitGTK 2.50 under Xvfb (software GL, as on a wall PC with no GPU): on an
   * accelerated canvas any small update cost ~18 ms at 1920×1080, the engine
   * copying the whole buffer through software GL; on a CPU canvas it is under
   * a millisecond. Set false to compare, or where a real GPU is present.
   */
  softwareCanvas?: boolean;
  /**
   * Paint status changes at most this often (ms; default 0 = every animation
   * frame). Pan, zoom and resize are never held back. In WebKitGTK every frame
   * in which anything changes costs the engine a repaint of the window
   * (measured under Xvfb: ~50 ms at 1080p, ~250 ms at 4K on a busy 2-core
   * machine), so a wall that changes a grid every frame keeps a core busy; a
   * few hundred milliseconds here costs the operator nothing.
   */
  minPaintIntervalMs?: number;
  /** Frame scheduling and clock, replaceable for tests and the benchmark. */
  requestFrame?: (cb: (time: number) => void) => number;
  cancelFrame?: (handle: number) => void;
  now?: () => number;
}

export interface GridMapStats {
  /** Frames in which something was painted. */
  frames: number;
  fullRedraws: number;
  partialRedraws: number;
  /** Deltas for a grid the map does not know (ignored). */
  unknownDeltas: number;
  /** Features of the geometry that could not be drawn. */
  skippedFeatures: number;
}

interface TestHooks {
  colourOf(gridId: string): GridColour | null;
  count(): number;
  selected(): string | null;
  frames(): number;
  /** Where a grid's label point is on the canvas, in CSS pixels, or null when off screen. */
  screenPointOf(gridId: string): [number, number] | null;
  /** Where a [lon, lat] point is on the canvas, in CSS pixels, or null when off screen. */
  screenPointAt(lon: number, lat: number): [number, number] | null;
  /** Milliseconds each painted frame took in JavaScript since the last call (for the in-app benchmark). */
  takePaintTimes(): number[];
}

declare global {
  interface Window {
    __gridwallMap?: TestHooks;
  }
}

// Colour codes by grid index; 0 is "no status yet".
const GREEN = 1,
  AMBER = 2,
  RED = 3;
const COLOUR_CODE: Record<string, number> = { green: GREEN, amber: AMBER, red: RED };
const COLOUR_NAME: (GridColour | null)[] = [null, "green", "amber", "red"];
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

/** Above this many changed grids in one frame, one full redraw is cheaper than clipping to each. */
const MAX_DIRTY_RECTS = 240;
/** Pixels (CSS) around a grid's box that its outlines and halo may cover. */
const PAD_CSS = 9;
/** The same for a grid with neither halo: its border and anti-aliasing. */
const SMALL_PAD_CSS = 3;
/**
 * The overdue pulse: a period, drawn in four steps (dim, mid, bright, mid). Each
 * step repaints every overdue grid at once, so steps are few: a smooth pulse
 * would put a heavy frame every few frames and ruin the frame-time tail.
 */
const PULSE_MS = 2400;
const PULSE_LEVELS = [0, 1, 2, 1];
const PULSE_STEPS = 2;
/** More overdue grids than this and the outline stays still: the whole city would repaint. */
const PULSE_MAX_GRIDS = 160;
/** Micro-grid borders appear when a typical grid is this wide on screen (CSS px); names a bit later. */
const MICRO_AT_PX = 150;
const GRID_NAMES_AT_PX = 200;
const FONT_FAMILY = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif';


export class GridMap {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly win: (Window & typeof globalThis) | null;
  private readonly requestFrame: (cb: (time: number) => void) => number;
  private readonly cancelFrame: (handle: number) => void;
  private readonly now: () => number;
  private readonly pulse: boolean;
  private readonly labelPxOption: number | undefined;
  private readonly testHooks: boolean;
  private readonly minPaintInterval: number;
  private lastStatusPaint = -Infinity;
  private holdTimer: ReturnType<typeof setTimeout> | null = null;

  private city: City | null = null;
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
  private townLabelW = new Float64Array(0);
  private townLabelFont = "";
  /** Town label layout: shown or not, vertical offset (device px), the scale it was made at, and priority order. */
  private townLabelShown = new Uint8Array(0);
  private townLabelDy = new Float64Array(0);
  private townLabelScale = -1;
  private townOrder: number[] = [];
  private typicalGridM = 1;

  // Status by grid index.
  private colour = new Uint8Array(0);
  private overdue = new Int32Array(0);
  private stale = new Uint8Array(0);
  /** Style code last painted (colour | overdue << 2 | stale << 3 | 16 once painted), for tests. */
  private painted = new Uint8Array(0);
  private overdueCount = 0;
  /** Latest delta per grid received before the city was loaded. */
  private readonly early = new Map<string, GridDelta>();
  private destroyed = false;

  // Changes waiting for the next frame.
  private dirty = new Int32Array(0);
  private dirtyMark = new Uint8Array(0);
  private dirtyCount = 0;
  private needFull = true;
  /** Device pixels the picture on the canvas must move by before the next partial paint. */
  private shiftX = 0;
  private shiftY = 0;
  private frameHandle = 0;

  // Scratch for one partial paint.
  private affected = new Int32Array(0);
  private affectedCount = 0;
  private rects = new Float64Array((MAX_DIRTY_RECTS + 2) * 4);
  /** The rectangle of `rects` being repainted. */
  private pass = 0;
  private readonly collect = (i: number): void => {
    this.affected[this.affectedCount++] = i;
  };

  private readonly view = new View();
  private fitted = false;
  private userMoved = false;
  /** Grids to fit once the map has a size (see fitGrids). */
  private zone: readonly string[] | null = null;
  /** 1 for each grid outside the zone (drawn veiled), or null without a zone. */
  private outside: Uint8Array | null = null;
  private pulseLevel = -1;

  private selectedIndex = -1;
  private readonly selectListeners = new Set<(gridId: string | null) => void>();
  /** Paint durations of the last painted frames (ms), read by the in-app benchmark. */
  private paintTimes: number[] = [];
  private readonly counters: GridMapStats = {
    frames: 0,
    fullRedraws: 0,
    partialRedraws: 0,
    unknownDeltas: 0,
    skippedFeatures: 0,
  };

  private hatch: CanvasPattern | null = null;
  private unwatchPixelRatio: (() => void) | null = null;
  private readonly observer: ResizeObserver | null = null;
  private drag: { id: number; x: number; y: number; moved: boolean } | null = null;

  constructor(
    private readonly container: HTMLElement,
    options: GridMapOptions = {},
  ) {
    const doc = container.ownerDocument;
    this.win = (doc.defaultView as (Window & typeof globalThis) | null) ?? null;
    this.requestFrame = options.requestFrame ?? ((cb) => requestAnimationFrame(cb));
    this.cancelFrame = options.cancelFrame ?? ((h) => cancelAnimationFrame(h));
    this.now = options.now ?? (() => performance.now());
    const reduced = this.win?.matchMedia?.("(prefers-reduced-motion: reduce)").matches ?? false;
    this.pulse = options.pulse ?? !reduced;
    this.labelPxOption = options.labelPx;
    this.testHooks = options.testHooks ?? false;
    this.minPaintInterval = options.minPaintIntervalMs ?? 0;

    this.canvas = doc.createElement("canvas");
    this.canvas.setAttribute("data-testid", "grid-map");
    this.canvas.setAttribute("data-grid-count", "0");
    this.canvas.setAttribute("data-selected", "");
    this.canvas.setAttribute("data-frames", "0");
    this.canvas.setAttribute("role", "img");
    this.canvas.setAttribute("aria-label", options.lang === "en" ? "Grid status map" : "网格态势图");
    this.canvas.tabIndex = 0;
    Object.assign(this.canvas.style, {
      position: "absolute",
      inset: "0",
      width: "100%",
      height: "100%",
      display: "block",
      outline: "none",
      touchAction: "none",
    });
    const ctx = this.canvas.getContext("2d", { alpha: false, willReadFrequently: options.softwareCanvas ?? true });
    if (!ctx) throw new Error("this webview has no 2D canvas; the map cannot be drawn");
    this.ctx = ctx;
    container.appendChild(this.canvas);

    this.canvas.addEventListener("pointerdown", this.onPointerDown);
    this.canvas.addEventListener("pointermove", this.onPointerMove);
    this.canvas.addEventListener("pointerup", this.onPointerUp);
    this.canvas.addEventListener("pointercancel", this.onPointerUp);
    this.canvas.addEventListener("wheel", this.onWheel, { passive: false });
    this.canvas.addEventListener("keydown", this.onKeyDown);
    if (typeof ResizeObserver !== "undefined") {
      this.observer = new ResizeObserver(() => this.resize());
      this.observer.observe(container);
    }
    if (this.testHooks && this.win) this.win.__gridwallMap = this.hooks();
    this.resize();
  }

  // ---- public surface ------------------------------------------------------

  /** Loads the city's geometry; every grid starts with no status until deltas arrive. */
  setCity(data: CityData): void {
    const city = City.from(data.grids, data.towns, data.names);
    this.city = city;
    this.view.setBounds(city);
    const n = city.gridCount();
    this.paths = city.gridShapes.map((s) => pathOf(s.rings));
    this.microPaths = city.microShapes.map((ms) => (ms.length ? pathOf(ms.flatMap((s) => s.rings)) : null));
    this.allGrids = pathOf(city.gridShapes.flatMap((s) => s.rings));
    this.allTowns = pathOf(city.towns.flatMap((t) => t.shape.rings));
    this.cutTownRuns(city.towns.flatMap((t) => t.shape.rings));
    this.townLabelW = new Float64Array(city.towns.length);
    this.townLabelFont = "";
    const area = ({ shape: s }: (typeof city.towns)[number]): number => (s.maxX - s.minX) * (s.maxY - s.minY);
    this.townOrder = city.towns.map((_, k) => k).sort((a, b) => area(city.towns[b]!) - area(city.towns[a]!));
    const widths = city.gridShapes.map((s) => Math.max(s.maxX - s.minX, s.maxY - s.minY)).sort((a, b) => a - b);
    this.typicalGridM = widths[widths.length >> 1] ?? 1;

    this.colour = new Uint8Array(n);
    this.overdue = new Int32Array(n);
    this.stale = new Uint8Array(n);
    this.painted = new Uint8Array(n);
    this.overdueCount = 0;
    this.dirty = new Int32Array(n);
    this.dirtyMark = new Uint8Array(n);
    this.dirtyCount = 0;
    this.affected = new Int32Array(n);
    this.selectedIndex = -1;
    this.counters.skippedFeatures = city.skipped;
    this.canvas.setAttribute("data-grid-count", String(n));
    this.canvas.setAttribute("data-selected", "");
    this.fitted = false;
    this.userMoved = false;
    this.veilOutsideZone();
    this.fitIfReady();
    this.invalidate();
    if (this.early.size > 0) {
      const early = [...this.early.values()];
      this.early.clear();
      this.applyDeltas(early);
    }
  }

  /**
   * Records new statuses; they are painted together on the next animation
   * frame. Unknown grids are counted in `stats().unknownDeltas` and ignored.
   * Before `setCity`, the latest status of each grid is kept and applied then.
   */
  applyDeltas(deltas: readonly GridDelta[]): void {
    if (!this.city) {
      // The feed may start before the geometry arrives: keep each grid's latest status for setCity.
      if (!this.destroyed) for (const d of deltas) this.early.set(d.grid_id, d);
      return;
    }
    let changed = false;
    for (let k = 0; k < deltas.length; k++) {
      const d = deltas[k]!;
      const i = this.city?.indexOf(d.grid_id);
      const code = COLOUR_CODE[d.colour];
      if (i === undefined || code === undefined) {
        this.counters.unknownDeltas++;
        continue;
      }
      const overdue = d.overdue > 0 ? d.overdue : 0;
      const stale = d.stale ? 1 : 0;
      if (this.colour[i] === code && this.overdue[i]! > 0 === overdue > 0 && this.stale[i] === stale) {
        this.overdue[i] = overdue;
        continue;
      }
      if (this.overdue[i]! > 0 !== overdue > 0) this.overdueCount += overdue > 0 ? 1 : -1;
      this.colour[i] = code;
      this.overdue[i] = overdue;
      this.stale[i] = stale;
      this.markDirty(i);
      changed = true;
    }
    if (changed) this.schedule();
  }

  /** Selects a grid (bright outline) or clears the selection; listeners hear of it. */
  select(gridId: string | null): void {
    const i = gridId === null ? -1 : (this.city?.indexOf(gridId) ?? -1);
    this.selectIndex(i);
  }

  /** Listens to selections (by click, keyboard or `select`); returns the unsubscribe function. */
  onSelect(cb: (gridId: string | null) => void): () => void {
    this.selectListeners.add(cb);
    return () => this.selectListeners.delete(cb);
  }

  /** Pans and zooms (animated) so the grid fills about a third of the map. Unknown ids do nothing. */
  focus(gridId: string): void {
    const i = this.city?.indexOf(gridId);
    if (i === undefined || !this.city || this.view.cssW === 0) return;
    const s = this.city.gridShapes[i]!;
    const size = Math.max(s.maxX - s.minX, s.maxY - s.minY, 1);
    const scale = this.view.clampScale((Math.min(this.view.cssW, this.view.cssH) * 0.33) / size);
    this.userMoved = true;
    this.view.animateTo(this.now(), (s.minX + s.maxX) / 2, (s.minY + s.maxY) / 2, scale);
    this.schedule();
  }

  /** Pans and zooms (animated) so that every grid of `gridIds` shows: an emergency plan's zone. */
  fitGrids(gridIds: readonly string[]): void {
    // Kept, so a map that has no size yet fits the zone once it has one.
    this.zone = gridIds;
    this.veilOutsideZone();
    if (!this.city || this.view.cssW === 0) return;
    let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const id of gridIds) {
      const i = this.city.indexOf(id);
      if (i === undefined) continue;
      const s = this.city.gridShapes[i]!;
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
    this.view.animateTo(this.now(), (minX + maxX) / 2, (minY + maxY) / 2, scale);
    this.schedule();
  }

  /** Marks the grids outside the zone, to be drawn under a veil (none without a zone). */
  private veilOutsideZone(): void {
    const city = this.city;
    const outside = city && this.zone ? new Uint8Array(city.gridCount()).fill(1) : null;
    if (outside && city && this.zone) {
      for (const id of this.zone) {
        const i = city.indexOf(id);
        if (i !== undefined) outside[i] = 0;
      }
    }
    this.outside = outside;
    this.canvas.setAttribute("data-zone", String(this.zone?.length ?? 0));
    this.invalidate();
  }

  /** Back to the whole city (animated). */
  fitCity(): void {
    this.zone = null;
    this.veilOutsideZone();
    if (!this.city || this.view.cssW === 0) return;
    const c = this.city;
    this.userMoved = false;
    this.view.animateTo(this.now(), (c.minX + c.maxX) / 2, (c.minY + c.maxY) / 2, this.view.fitScale());
    this.schedule();
  }

  gridCount(): number {
    return this.city?.gridCount() ?? 0;
  }

  selected(): string | null {
    return this.selectedIndex >= 0 ? (this.city?.gridIds[this.selectedIndex] ?? null) : null;
  }

  /** The status last painted for a grid, or null before any (or for an unknown grid). */
  colourOf(gridId: string): GridColour | null {
    const i = this.city?.indexOf(gridId);
    if (i === undefined || !(this.painted[i]! & 16)) return null;
    return COLOUR_NAME[this.painted[i]! & 3] ?? null;
  }

  /** The grid under a point of the canvas in CSS pixels, or null. */
  hitTest(x: number, y: number): string | null {
    if (!this.city) return null;
    const i = this.city.gridAt(this.view.worldX(x), this.view.worldY(y));
    return i >= 0 ? this.city.gridIds[i]! : null;
  }

  /** Where a lon/lat point is on the canvas, in CSS pixels. */
  toScreen(lon: number, lat: number): [number, number] {
    if (!this.city) return [0, 0];
    const p = this.city.projection;
    return [this.view.screenX(p.x(lon)), this.view.screenY(p.y(lat))];
  }

  /** The lon/lat under a canvas point in CSS pixels. */
  toLonLat(x: number, y: number): [number, number] {
    if (!this.city) return [0, 0];
    const p = this.city.projection;
    return [p.lon(this.view.worldX(x)), p.lat(this.view.worldY(y))];
  }

  /** Counters since construction: frames painted, full and partial redraws, ignored input. */
  stats(): GridMapStats {
    return { ...this.counters };
  }

  /** Re-reads the container's size and the device pixel ratio (also called by the ResizeObserver). */
  resize(): void {
    const w = this.container.clientWidth,
      h = this.container.clientHeight;
    const dpr = this.win?.devicePixelRatio || 1;
    if (w === this.view.cssW && h === this.view.cssH && dpr === this.view.dpr && this.canvas.width > 0) return;
    this.view.cssW = w;
    this.view.cssH = h;
    this.view.dpr = dpr;
    this.watchPixelRatio(dpr);
    this.canvas.width = Math.max(1, Math.round(w * dpr));
    this.canvas.height = Math.max(1, Math.round(h * dpr));
    this.hatch = null;
    this.townLabelFont = "";
    if (!this.userMoved) this.fitted = false;
    this.fitIfReady();
    this.invalidate();
    // A resized canvas is blank until painted: paint now rather than flash a frame of nothing.
    this.flush();
  }

  /**
   * A window moved to a monitor with another pixel ratio keeps its CSS size,
   * so the ResizeObserver stays silent; a media query on the current ratio
   * says when it changes.
   */
  private watchPixelRatio(dpr: number): void {
    this.unwatchPixelRatio?.();
    const query = this.win?.matchMedia?.(`(resolution: ${dpr}dppx)`);
    if (!query) return;
    const onChange = (): void => this.resize();
    query.addEventListener("change", onChange);
    this.unwatchPixelRatio = () => query.removeEventListener("change", onChange);
  }

  /** Paints whatever is pending now instead of on the next animation frame. */
  flush(): void {
    if (this.frameHandle) {
      this.cancelFrame(this.frameHandle);
      this.frameHandle = 0;
    }
    this.frame();
  }

  destroy(): void {
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = null;
    if (this.frameHandle) this.cancelFrame(this.frameHandle);
    this.frameHandle = 0;
    this.observer?.disconnect();
    this.unwatchPixelRatio?.();
    this.canvas.removeEventListener("pointerdown", this.onPointerDown);
    this.canvas.removeEventListener("pointermove", this.onPointerMove);
    this.canvas.removeEventListener("pointerup", this.onPointerUp);
    this.canvas.removeEventListener("pointercancel", this.onPointerUp);
    this.canvas.removeEventListener("wheel", this.onWheel);
    this.canvas.removeEventListener("keydown", this.onKeyDown);
    this.canvas.remove();
    this.selectListeners.clear();
    this.early.clear();
    this.destroyed = true;
    if (this.testHooks && this.win?.__gridwallMap) delete this.win.__gridwallMap;
    this.city = null;
  }

  // ---- frames --------------------------------------------------------------

  private markDirty(i: number): void {
    if (this.dirtyMark[i]) return;
    this.dirtyMark[i] = 1;
    this.dirty[this.dirtyCount++] = i;
  }

  private invalidate(): void {
    this.needFull = true;
    this.schedule();
  }

  private schedule(): void {
    if (!this.frameHandle) this.frameHandle = this.requestFrame(this.onFrame);
  }

  private readonly onFrame = (): void => {
    this.frameHandle = 0;
    this.frame();
  };

  private frame(): void {
    const now = this.now();
    if (this.view.step(now)) this.needFull = true;
    this.stepPulse(now);
    let painted = false;
    if (this.city && this.view.cssW > 0 && this.view.cssH > 0) {
      const wait = this.lastStatusPaint + this.minPaintInterval - now;
      const shifted = this.shiftX !== 0 || this.shiftY !== 0;
      if (!this.needFull && !shifted && this.dirtyCount > 0 && wait > 0) {
        // Status changes only, and too soon after the last paint: keep them for later.
        if (!this.holdTimer) {
          this.holdTimer = setTimeout(() => {
            this.holdTimer = null;
            this.schedule();
          }, wait);
        }
        return;
      }
      const W = this.canvas.width,
        H = this.canvas.height;
      const shiftTooFar = Math.abs(this.shiftX) >= W || Math.abs(this.shiftY) >= H;
      const paintStart = performance.now();
      if (this.needFull || this.dirtyCount > MAX_DIRTY_RECTS || shiftTooFar) {
        this.paintAll();
        painted = true;
      } else if (this.dirtyCount > 0 || shifted) {
        painted = this.paintDirty();
      }
      if (painted) {
        this.lastStatusPaint = now;
        if (this.paintTimes.length >= 4096) this.paintTimes.shift();
        this.paintTimes.push(performance.now() - paintStart);
      }
    }
    for (let k = 0; k < this.dirtyCount; k++) this.dirtyMark[this.dirty[k]!] = 0;
    this.dirtyCount = 0;
    if (painted) {
      this.counters.frames++;
      this.canvas.setAttribute("data-frames", String(this.counters.frames));
    }
    const pulsing = this.pulse && this.overdueCount > 0 && this.overdueCount <= PULSE_MAX_GRIDS;
    if (this.view.animating || pulsing) this.schedule();
  }

  private stepPulse(now: number): void {
    if (!this.pulse || this.overdueCount === 0 || this.overdueCount > PULSE_MAX_GRIDS) {
      // Stopping mid-pulse: repaint the outlines once at full strength so they all match.
      if (this.pulseLevel >= 0) this.markOverdueDirty();
      this.pulseLevel = -1;
      return;
    }
    const level = PULSE_LEVELS[Math.floor(((now % PULSE_MS) / PULSE_MS) * PULSE_LEVELS.length)]!;
    if (level === this.pulseLevel) return;
    this.pulseLevel = level;
    this.markOverdueDirty();
  }

  private markOverdueDirty(): void {
    for (let i = 0; i < this.overdue.length; i++) if (this.overdue[i]! > 0) this.markDirty(i);
  }

  // ---- painting ------------------------------------------------------------

  private setWorldTransform(): void {
    const v = this.view;
    this.ctx.setTransform(v.k, 0, 0, -v.k, v.tx, v.ty);
  }

  private paintAll(): void {
    const ctx = this.ctx,
      city = this.city!;
    this.needFull = false;
    this.shiftX = this.shiftY = 0;
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
      city = this.city!;
    // A grid drawn or to be drawn with a halo (overdue, selected) clears a wider margin.
    const bigPad = PAD_CSS * this.view.dpr,
      smallPad = SMALL_PAD_CSS * this.view.dpr;
    const { k, tx, ty } = this.view;
    const W = this.canvas.width,
      H = this.canvas.height;
    let r = 0;
    if (this.shiftX !== 0 || this.shiftY !== 0) {
      // A pan: move what is drawn, then repaint the strips it uncovered like any dirty rectangle.
      const sx = this.shiftX,
        sy = this.shiftY;
      this.shiftX = this.shiftY = 0;
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.drawImage(this.canvas, sx, sy);
      ctx.restore();
      const R = this.rects;
      if (sx !== 0) R.set(sx > 0 ? [0, 0, sx, H] : [W + sx, 0, W, H], 4 * r++);
      // The horizontal strip leaves out the vertical one: merged, the two would make the whole canvas.
      const x0 = sx > 0 ? sx : 0,
        x1 = sx < 0 ? W + sx : W;
      if (sy !== 0) R.set(sy > 0 ? [x0, 0, x1, sy] : [x0, H + sy, x1, H], 4 * r++);
    }
    for (let d = 0; d < this.dirtyCount; d++) {
      const i = this.dirty[d]!;
      const s = city.gridShapes[i]!;
      const padPx = this.painted[i]! & (4 | 32) || this.overdue[i]! > 0 || i === this.selectedIndex ? bigPad : smallPad;
      const x0 = Math.max(0, Math.floor(s.minX * k + tx - padPx)),
        x1 = Math.min(W, Math.ceil(s.maxX * k + tx + padPx)),
        y0 = Math.max(0, Math.floor(ty - s.maxY * k - padPx)),
        y1 = Math.min(H, Math.ceil(ty - s.minY * k + padPx));
      if (x1 <= x0 || y1 <= y0) continue;
      this.rects[4 * r] = x0;
      this.rects[4 * r + 1] = y0;
      this.rects[4 * r + 2] = x1;
      this.rects[4 * r + 3] = y1;
      r++;
    }
    r = this.mergeRects(r);
    if (r === 0) return false;
    this.counters.partialRedraws++;

    // One clipped pass per rectangle. A single clip made of many scattered
    // rectangles becomes an anti-aliased mask as large as their union in Skia,
    // and every draw under it paid for that area (~5 ms a call at 4K).
    const pad = PAD_CSS / this.view.scale;
    for (let q = 0; q < r; q++) {
      this.pass = q;
      const x0 = this.rects[4 * q]!,
        y0 = this.rects[4 * q + 1]!,
        x1 = this.rects[4 * q + 2]!,
        y1 = this.rects[4 * q + 3]!;
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

  /** Merges overlapping rectangles (in place) so no pixel is painted twice; returns the new count. */
  private mergeRects(count: number): number {
    const R = this.rects;
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

  /**
   * Draws, in layer order, the grids in `affected` and the towns and labels
   * meeting the world box. `full` strokes all grid borders as one path.
   */
  private drawLayers(full: boolean, minX: number, minY: number, maxX: number, maxY: number): void {
    const ctx = this.ctx,
      city = this.city!,
      n = this.affectedCount,
      list = this.affected;
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
      const c = this.colour[i]!;
      const late = this.overdue[i]! > 0;
      const b = this.stale[i] ? 4 + c : c === RED && late ? 8 : c;
      (buckets[b] ??= new Path2D()).addPath(this.paths[i]!);
      if (this.stale[i]) (stale ??= new Path2D()).addPath(this.paths[i]!);
      if (late) (overdue ??= new Path2D()).addPath(this.paths[i]!);
      if (showMicro && this.microPaths[i]) (micro ??= new Path2D()).addPath(this.microPaths[i]!);
      if (!full) (borders ??= new Path2D()).addPath(this.paths[i]!);
      if (this.outside?.[i]) (veiled ??= new Path2D()).addPath(this.paths[i]!);
      this.painted[i] = 16 | c | (late ? 4 : 0) | (this.stale[i] ? 8 : 0) | (i === this.selectedIndex ? 32 : 0);
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
      const level = this.pulseLevel < 0 ? PULSE_STEPS : this.pulseLevel;
      ctx.strokeStyle = palette.overduePulse;
      ctx.globalAlpha = 0.15 + (0.6 * level) / PULSE_STEPS;
      ctx.lineWidth = (5 + (4 * level) / PULSE_STEPS) * px;
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

    const sel = this.selectedIndex;
    if (sel >= 0 && (full || this.isAffected(sel))) {
      ctx.strokeStyle = palette.selectedHalo;
      ctx.lineWidth = 7 * px;
      ctx.stroke(this.paths[sel]!);
      ctx.strokeStyle = palette.selected;
      ctx.lineWidth = 3.5 * px;
      ctx.stroke(this.paths[sel]!);
    }

    this.drawLabels(full);
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
      if (this.meetsRects(x0, y0, x1, y1)) (path ??= new Path2D()).addPath(this.townRuns[q]!);
    }
    return path;
  }

  /** Whether a device-pixel box meets the rectangle this partial paint is on. */
  private meetsRects(x0: number, y0: number, x1: number, y1: number): boolean {
    const r = 4 * this.pass;
    return x1 >= this.rects[r]! && x0 <= this.rects[r + 2]! && y1 >= this.rects[r + 1]! && y0 <= this.rects[r + 3]!;
  }

  private isAffected(i: number): boolean {
    for (let q = 0; q < this.affectedCount; q++) if (this.affected[q] === i) return true;
    return false;
  }

  private drawLabels(full: boolean): void {
    const ctx = this.ctx,
      city = this.city!,
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
      for (let q = 0; q < this.affectedCount; q++) {
        const i = this.affected[q]!;
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
    if (this.townLabelScale !== this.view.scale) this.layoutTownLabels(size);
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
      if (!full && !this.meetsRects(x - halfW, y - halfH, x + halfW, y + halfH)) continue;
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
  private layoutTownLabels(size: number): void {
    const city = this.city!,
      dpr = this.view.dpr,
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

  private townLabelPx(): number {
    return this.labelPxOption ?? Math.min(48, Math.max(14, this.view.cssH / 36));
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

  // ---- view ----------------------------------------------------------------

  private fitIfReady(): void {
    if (this.fitted || !this.city || this.view.cssW === 0 || this.view.cssH === 0) return;
    this.view.fit();
    this.fitted = true;
    // The zone animates in from the whole city, which also tells the hall where it is.
    if (this.zone) this.fitGrids(this.zone);
  }

  private zoomBy(factor: number, sx?: number, sy?: number): void {
    if (!this.city) return;
    this.userMoved = true;
    this.view.zoomBy(this.now(), factor, sx, sy);
    this.schedule();
  }

  /**
   * Moves the map by CSS pixels (the content follows the pointer: positive dx
   * moves it right). The move is rounded to whole device pixels so the next
   * frame can shift the picture already on the canvas and paint only the strips
   * that come into view, rather than the whole city.
   */
  panBy(dxCss: number, dyCss: number): void {
    this.userMoved = true;
    const v = this.view;
    const tx0 = v.tx,
      ty0 = v.ty;
    v.panBy(Math.round(dxCss * v.dpr) / v.dpr, Math.round(dyCss * v.dpr) / v.dpr);
    const sx = v.tx - tx0,
      sy = v.ty - ty0;
    if (!this.needFull && Math.abs(sx - Math.round(sx)) < 1e-6 && Math.abs(sy - Math.round(sy)) < 1e-6) {
      this.shiftX += Math.round(sx);
      this.shiftY += Math.round(sy);
      this.schedule();
    } else {
      this.invalidate();
    }
  }

  private selectIndex(i: number): void {
    if (i === this.selectedIndex) return;
    if (this.selectedIndex >= 0) this.markDirty(this.selectedIndex);
    this.selectedIndex = i;
    if (i >= 0) this.markDirty(i);
    const id = this.selected();
    this.canvas.setAttribute("data-selected", id ?? "");
    this.schedule();
    for (const cb of this.selectListeners) cb(id);
  }

  // ---- input ---------------------------------------------------------------

  private localPoint(e: MouseEvent): [number, number] {
    const r = this.canvas.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  }

  private readonly onPointerDown = (e: PointerEvent): void => {
    if (e.button !== 0) return;
    this.canvas.focus({ preventScroll: true });
    this.canvas.setPointerCapture?.(e.pointerId);
    this.drag = { id: e.pointerId, x: e.clientX, y: e.clientY, moved: false };
  };

  private readonly onPointerMove = (e: PointerEvent): void => {
    const d = this.drag;
    if (!d || d.id !== e.pointerId) return;
    const dx = e.clientX - d.x,
      dy = e.clientY - d.y;
    if (!d.moved && Math.hypot(dx, dy) < 4) return;
    d.moved = true;
    d.x = e.clientX;
    d.y = e.clientY;
    this.panBy(dx, dy);
  };

  private readonly onPointerUp = (e: PointerEvent): void => {
    const d = this.drag;
    if (!d || d.id !== e.pointerId) return;
    this.drag = null;
    if (d.moved || e.type === "pointercancel") return;
    const [x, y] = this.localPoint(e);
    const id = this.hitTest(x, y);
    this.selectIndex(id === null ? -1 : this.city!.indexOf(id)!);
  };

  private readonly onWheel = (e: WheelEvent): void => {
    e.preventDefault();
    const [x, y] = this.localPoint(e);
    const lines = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaMode === 2 ? e.deltaY * 400 : e.deltaY;
    this.zoomBy(Math.pow(2, -Math.max(-300, Math.min(300, lines)) / 300), x, y);
  };

  /** The grid after (or before) the selected one in urgency order, or -1. */
  private nextUrgent(direction: 1 | -1): number {
    if (!this.city) return -1;
    const rank = (i: number): number =>
      this.overdue[i]! > 0 ? 3 : this.colour[i] === RED ? 2 : this.colour[i] === AMBER ? 1 : 0;
    const order: number[] = [];
    for (let i = 0; i < this.city.gridIds.length; i++) if (rank(i) > 0) order.push(i);
    if (order.length === 0) return -1;
    order.sort((a, b) => rank(b) - rank(a) || a - b);
    const current = this.city.indexOf(this.selected() ?? "") ?? -1;
    const at = order.indexOf(current);
    if (at < 0) return direction === 1 ? order[0]! : order[order.length - 1]!;
    return order[(at + direction + order.length) % order.length]!;
  }

  private readonly onKeyDown = (e: KeyboardEvent): void => {
    const step = Math.min(this.view.cssW, this.view.cssH) * 0.15;
    switch (e.key) {
      case "ArrowLeft":
        this.panBy(step, 0);
        break;
      case "ArrowRight":
        this.panBy(-step, 0);
        break;
      case "ArrowUp":
        this.panBy(0, step);
        break;
      case "ArrowDown":
        this.panBy(0, -step);
        break;
      case "+":
      case "=":
        this.zoomBy(1.5);
        break;
      case "-":
      case "_":
        this.zoomBy(1 / 1.5);
        break;
      case "0":
      case "Home":
        this.fitCity();
        break;
      case "Enter": {
        const id = this.selected();
        if (id) this.focus(id);
        break;
      }
      case "Escape":
        this.selectIndex(-1);
        break;
      case "Tab":
      case "n":
      case "p": {
        // Walk the grids that need attention, worst first: overdue, then
        // red, then amber; Shift+Tab or p walks back.
        const next = this.nextUrgent(e.shiftKey || e.key === "p" ? -1 : 1);
        if (next < 0) return;
        this.selectIndex(next);
        this.focus(this.city!.gridIds[next]!);
        break;
      }
      default:
        return;
    }
    e.preventDefault();
  };

  private hooks(): TestHooks {
    return {
      colourOf: (id) => this.colourOf(id),
      count: () => this.gridCount(),
      selected: () => this.selected(),
      frames: () => this.counters.frames,
      takePaintTimes: () => this.paintTimes.splice(0),
      screenPointOf: (id) => {
        const i = this.city?.indexOf(id);
        if (i === undefined || !this.city) return null;
        const x = this.view.screenX(this.city.gridLabelX[i]!),
          y = this.view.screenY(this.city.gridLabelY[i]!);
        return x >= 0 && y >= 0 && x < this.view.cssW && y < this.view.cssH ? [x, y] : null;
      },
      screenPointAt: (lon, lat) => {
        if (!this.city) return null;
        const [x, y] = this.toScreen(lon, lat);
        return x >= 0 && y >= 0 && x < this.view.cssW && y < this.view.cssH ? [x, y] : null;
      },
    };
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
