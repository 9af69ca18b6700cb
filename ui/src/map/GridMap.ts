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
//
// This file is the facade and the frame loop; the work is done by small parts
// that share one GridState (see README.md for the map of files):
//   state.ts     statuses, selection index, zone veil, what waits for a frame
//   viewport.ts  fit, focus, zoom, pan, CSS px <-> lon/lat (over view.ts)
//   painter.ts   full and partial paints, layers, town border runs, hatch
//   labels.ts    town and grid names;  rects.ts  dirty rectangles
//   input.ts     hit test, selection, pointer, wheel and keys
//   pulse.ts     the overdue halo's steps;  testHooks.ts  window.__gridwallMap

import type { Language } from "../bindings/Language";
import { City, type FeatureCollection, type GridLabel } from "./city";
import { MapInput } from "./input";
import { Labels } from "./labels";
import { Painter } from "./painter";
import type { GridColour } from "./palette";
import { Pulse } from "./pulse";
import { GridState } from "./state";
import { makeTestHooks } from "./testHooks";
import { Viewport } from "./viewport";

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

export class GridMap {
  readonly canvas: HTMLCanvasElement;
  private readonly win: (Window & typeof globalThis) | null;
  private readonly requestFrame: (cb: (time: number) => void) => number;
  private readonly cancelFrame: (handle: number) => void;
  private readonly now: () => number;
  private readonly testHooks: boolean;
  private readonly minPaintInterval: number;
  private lastStatusPaint = -Infinity;
  private holdTimer: ReturnType<typeof setTimeout> | null = null;
  private frameHandle = 0;

  private readonly counters: GridMapStats = {
    frames: 0,
    fullRedraws: 0,
    partialRedraws: 0,
    unknownDeltas: 0,
    skippedFeatures: 0,
  };
  /** Paint durations of the last painted frames (ms), read by the in-app benchmark. */
  private readonly paintTimes: number[] = [];

  // The parts, all sharing `state` (see the top of this file).
  private readonly state = new GridState(this.counters);
  private readonly viewport: Viewport;
  private readonly pulse: Pulse;
  private readonly painter: Painter;
  private readonly input: MapInput;

  /** Latest delta per grid received before the city was loaded. */
  private readonly early = new Map<string, GridDelta>();
  private destroyed = false;
  private unwatchPixelRatio: (() => void) | null = null;
  private readonly observer: ResizeObserver | null = null;

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
    container.appendChild(this.canvas);

    const frames = { schedule: () => this.schedule(), invalidate: () => this.invalidate(), now: () => this.now() };
    this.viewport = new Viewport(this.canvas, this.state, frames);
    const view = this.viewport.view;
    this.pulse = new Pulse(options.pulse ?? !reduced, this.state);
    const labels = new Labels(ctx, view, this.state, options.labelPx);
    this.painter = new Painter(this.canvas, ctx, view, this.state, this.pulse, labels, this.counters);
    this.input = new MapInput(this.canvas, this.state, this.viewport, frames.schedule);

    if (typeof ResizeObserver !== "undefined") {
      this.observer = new ResizeObserver(() => this.resize());
      this.observer.observe(container);
    }
    if (this.testHooks && this.win) {
      this.win.__gridwallMap = makeTestHooks(this, this.counters, this.paintTimes, this.state, this.viewport);
    }
    this.resize();
  }

  // ---- public surface ------------------------------------------------------

  /** Loads the city's geometry; every grid starts with no status until deltas arrive. */
  setCity(data: CityData): void {
    const city = City.from(data.grids, data.towns, data.names);
    this.state.load(city);
    this.painter.load(city);
    this.counters.skippedFeatures = city.skipped;
    this.canvas.setAttribute("data-grid-count", String(city.gridCount()));
    this.canvas.setAttribute("data-selected", "");
    this.viewport.load(city);
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
    if (!this.state.city) {
      // The feed may start before the geometry arrives: keep each grid's latest status for setCity.
      if (!this.destroyed) for (const d of deltas) this.early.set(d.grid_id, d);
      return;
    }
    if (this.state.apply(deltas)) this.schedule();
  }

  /** Selects a grid (bright outline) or clears the selection; listeners hear of it. */
  select(gridId: string | null): void {
    const i = gridId === null ? -1 : (this.state.city?.indexOf(gridId) ?? -1);
    this.input.selectIndex(i);
  }

  /** Listens to selections (by click, keyboard or `select`); returns the unsubscribe function. */
  onSelect(cb: (gridId: string | null) => void): () => void {
    return this.input.onSelect(cb);
  }

  /** Pans and zooms (animated) so the grid fills about a third of the map. Unknown ids do nothing. */
  focus(gridId: string): void {
    this.viewport.focus(gridId);
  }

  /** Pans and zooms (animated) so that every grid of `gridIds` shows: an emergency plan's zone. */
  fitGrids(gridIds: readonly string[]): void {
    this.viewport.fitGrids(gridIds);
  }

  /** Back to the whole city (animated). */
  fitCity(): void {
    this.viewport.fitCity();
  }

  /**
   * Moves the map by CSS pixels (the content follows the pointer: positive dx
   * moves it right); the next frame shifts the picture and paints the strips
   * that come into view.
   */
  panBy(dxCss: number, dyCss: number): void {
    this.viewport.panBy(dxCss, dyCss);
  }

  gridCount(): number {
    return this.state.city?.gridCount() ?? 0;
  }

  selected(): string | null {
    return this.state.selectedId();
  }

  /** The status last painted for a grid, or null before any (or for an unknown grid). */
  colourOf(gridId: string): GridColour | null {
    return this.state.colourOf(gridId);
  }

  /** The grid under a point of the canvas in CSS pixels, or null. */
  hitTest(x: number, y: number): string | null {
    return this.input.hitTest(x, y);
  }

  /** Where a lon/lat point is on the canvas, in CSS pixels. */
  toScreen(lon: number, lat: number): [number, number] {
    return this.viewport.toScreen(lon, lat);
  }

  /** The lon/lat under a canvas point in CSS pixels. */
  toLonLat(x: number, y: number): [number, number] {
    return this.viewport.toLonLat(x, y);
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
    const v = this.viewport.view;
    if (w === v.cssW && h === v.cssH && dpr === v.dpr && this.canvas.width > 0) return;
    v.cssW = w;
    v.cssH = h;
    v.dpr = dpr;
    this.watchPixelRatio(dpr);
    this.canvas.width = Math.max(1, Math.round(w * dpr));
    this.canvas.height = Math.max(1, Math.round(h * dpr));
    this.painter.resized();
    this.viewport.resized();
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
    this.input.destroy();
    this.canvas.remove();
    this.early.clear();
    this.destroyed = true;
    if (this.testHooks && this.win?.__gridwallMap) delete this.win.__gridwallMap;
    this.state.city = null;
  }

  // ---- frames --------------------------------------------------------------

  private invalidate(): void {
    this.state.needFull = true;
    this.schedule();
  }

  private schedule(): void {
    if (!this.frameHandle) this.frameHandle = this.requestFrame(this.onFrame);
  }

  private readonly onFrame = (): void => {
    this.frameHandle = 0;
    this.frame();
  };

  /** One frame: advance the view and the pulse, then paint what is pending unless held back. */
  private frame(): void {
    const now = this.now();
    const st = this.state,
      v = this.viewport.view;
    if (v.step(now)) st.needFull = true;
    this.pulse.step(now);
    let painted = false;
    if (st.city && v.cssW > 0 && v.cssH > 0) {
      const wait = this.lastStatusPaint + this.minPaintInterval - now;
      const shifted = st.shiftX !== 0 || st.shiftY !== 0;
      if (!st.needFull && !shifted && st.dirtyCount > 0 && wait > 0) {
        // Status changes only, and too soon after the last paint: keep them for later.
        if (!this.holdTimer) {
          this.holdTimer = setTimeout(() => {
            this.holdTimer = null;
            this.schedule();
          }, wait);
        }
        return;
      }
      const paintStart = performance.now();
      painted = this.painter.paint();
      if (painted) {
        this.lastStatusPaint = now;
        if (this.paintTimes.length >= 4096) this.paintTimes.shift();
        this.paintTimes.push(performance.now() - paintStart);
      }
    }
    st.clearDirty();
    if (painted) {
      this.counters.frames++;
      this.canvas.setAttribute("data-frames", String(this.counters.frames));
    }
    if (v.animating || this.pulse.running) this.schedule();
  }
}
