// Frame-time benchmark of the wall's map: GridMap against Leaflet's canvas
// renderer on the same city, at the window's size, while grids change status
// at a steady rate in small batches every frame (as the wall's feed does).
//
// Each frame is timed from the start of the callback to after a one-pixel
// getImageData, which forces the canvas to finish rasterizing, so the figure
// includes the drawing and not only the JavaScript that asked for it. Both
// renderers paint synchronously inside the timed section: GridMap through an
// injected frame scheduler and `flush()`, Leaflet by cancelling its own
// animation frame request and calling its renderer's `_redraw()` (what that
// request would have run). The status sequence comes from a seeded generator,
// so both renderers see the same changes.
//
// Query parameters (all optional):
//   seconds=10      measured time per renderer (after 1 s of warm-up)
//   rate=100        grid status changes per second
//   only=gridmap,leaflet,leaflet_cpu   which to run (the default); also gridmap_gpu.
//                   *_cpu / gridmap: canvas with willReadFrequently (CPU-backed);
//                   leaflet / gridmap_gpu: the engine's default (accelerated) canvas
//   profile=1       add up time per canvas method (coarse) and report it per renderer
//   interval=0      GridMap's minPaintIntervalMs (status paints at most this often)
//   pulse=0         GridMap without the overdue pulse
//   pan=3           seconds of continuous panning per renderer (full redraws), 0 to skip
//   geometry=geometry.geojson.gz  towns=towns.geojson  names=grids.json   (URLs; gzip or plain)
//   probe=1         time single canvas operations (tile=N: on an N×N canvas; cpu=1: willReadFrequently)
//   svelte=1        the Svelte wrapper (GridMapView) in a panel, fed through its subscribe prop
//   view=1          no measurement: GridMap with a random city status, to look at
//                   (with focus=<grid_id> it zooms to that grid, lang=en for English,
//                   drag=N pans N frames first)
//
// When done it prints one JSON line with console.log and sets
// document.title = "BENCH:" + that JSON, for a WebDriver script to read.

import * as L from "leaflet";
import "leaflet/dist/leaflet.css";
import type { FeatureCollection, GridLabel } from "../src/map/city";
import { GridMap, type GridDelta } from "../src/map/GridMap";
import { palette, type GridColour } from "../src/map/palette";

const params = new URLSearchParams(location.search);
const num = (name: string, fallback: number): number => {
  const v = Number(params.get(name));
  return params.has(name) && Number.isFinite(v) ? v : fallback;
};
const SECONDS = num("seconds", 10);
const RATE = num("rate", 100);
const PAN_SECONDS = num("pan", 3);
const WARMUP_MS = 1000;
const only = params.get("only");

const out = document.getElementById("out")!;
const stage = document.getElementById("stage")!;
const log = (line: string): void => {
  out.textContent += `\n${line}`;
};

async function load(url: string): Promise<unknown> {
  const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
  let text: string;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    text = await new Response(stream).text();
  } else {
    text = new TextDecoder().decode(bytes);
  }
  return JSON.parse(text);
}

/** mulberry32: a small seeded generator, so both renderers get the same changes. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A plausible mix: mostly calm, some amber, a few red, a few of those overdue, rare stale. */
function randomDelta(ids: readonly string[], r: () => number): GridDelta {
  const id = ids[Math.floor(r() * ids.length)]!;
  const x = r();
  const colour: GridColour = x < 0.6 ? "green" : x < 0.85 ? "amber" : "red";
  const overdue = colour === "red" && r() < 0.25 ? 1 + Math.floor(r() * 3) : 0;
  return { grid_id: id, colour, overdue, open: colour === "green" ? 0 : 1 + overdue, stale: r() < 0.02 };
}

interface Subject {
  name: string;
  apply(deltas: readonly GridDelta[]): void;
  /** Paints what is pending, synchronously. */
  paint(): void;
  /** Pans by a few pixels (a full redraw in both renderers). */
  pan(dx: number, dy: number): void;
  /** A one-pixel read-back that waits for rasterization. */
  sync(): void;
  destroy(): void;
  /** Renderer's own counters, after destroy. */
  stats?(): unknown;
}

function gridMapSubject(
  grids: FeatureCollection,
  towns: FeatureCollection,
  names: GridLabel[],
  softwareCanvas: boolean,
): Subject {
  let pending: ((t: number) => void) | null = null;
  const map = new GridMap(stage, {
    softwareCanvas,
    pulse: params.get("pulse") !== "0",
    minPaintIntervalMs: num("interval", 0),
    requestFrame: (cb) => {
      pending = cb;
      return 1;
    },
    cancelFrame: () => {
      pending = null;
    },
  });
  map.setCity({ grids, towns, names });
  map.flush();
  const ctx = map.canvas.getContext("2d")!;
  let stats: unknown = null;
  return {
    name: softwareCanvas ? "gridmap" : "gridmap_gpu",
    apply: (d) => map.applyDeltas(d),
    paint: () => {
      if (pending) map.flush();
    },
    pan: (dx, dy) => map.panBy(dx, dy),
    sync: () => void ctx.getImageData(0, 0, 1, 1),
    destroy: () => {
      stats = map.stats();
      map.destroy();
    },
    stats: () => stats,
  };
}

/**
 * A minimal WebGL renderer of the same grids, to measure whether WebGL is a
 * fast path in this webview before choosing (issue 5): every grid polygon
 * fan-triangulated once (the generated grids are near-convex cells), one
 * colour per vertex, a colour change rewrites that grid's vertices, each frame
 * draws all triangles. No borders, labels or hatching: a lower bound on what a
 * WebGL map would cost.
 */
function webglSubject(grids: FeatureCollection): Subject {
  const canvas = document.createElement("canvas");
  canvas.width = innerWidth * devicePixelRatio;
  canvas.height = innerHeight * devicePixelRatio;
  canvas.style.cssText = "position:absolute;inset:0;width:100%;height:100%";
  stage.appendChild(canvas);
  const gl = canvas.getContext("webgl", { antialias: false, preserveDrawingBuffer: true });
  if (!gl) throw new Error("no WebGL context");
  const positions: number[] = [];
  const ranges = new Map<string, [number, number]>();
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  const rings: [string, number[][]][] = [];
  for (const f of grids.features) {
    if (f.properties?.level !== "grid" || !f.geometry) continue;
    const g = f.geometry as { type: string; coordinates: unknown };
    const polys = (g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : []) as number[][][][];
    for (const poly of polys) {
      const ring = poly[0];
      if (!ring || ring.length < 4) continue;
      rings.push([String(f.properties?.grid_id), ring]);
      for (const [x, y] of ring) {
        minX = Math.min(minX, x!); maxX = Math.max(maxX, x!);
        minY = Math.min(minY, y!); maxY = Math.max(maxY, y!);
      }
    }
  }
  const k = Math.cos(((minY + maxY) / 2) * (Math.PI / 180));
  const sx = 1.9 / Math.max((maxX - minX) * k, maxY - minY);
  for (const [id, ring] of rings) {
    const start = positions.length / 2;
    const [x0, y0] = ring[0]!;
    for (let i = 1; i + 1 < ring.length - 1; i++) {
      for (const [x, y] of [[x0!, y0!], ring[i]!, ring[i + 1]!]) {
        positions.push((x! - (minX + maxX) / 2) * k * sx, (y! - (minY + maxY) / 2) * sx);
      }
    }
    const prev = ranges.get(id);
    ranges.set(id, [prev ? prev[0] : start, positions.length / 2]);
  }
  const count = positions.length / 2;
  const colours = new Float32Array(count * 3).fill(0.1);
  const compile = (type: number, src: string) => {
    const sh = gl.createShader(type)!;
    gl.shaderSource(sh, src);
    gl.compileShader(sh);
    return sh;
  };
  const prog = gl.createProgram()!;
  gl.attachShader(prog, compile(gl.VERTEX_SHADER, "attribute vec2 p; attribute vec3 c; uniform vec2 o; varying vec3 v; void main(){ v=c; gl_Position=vec4(p+o,0.0,1.0); }"));
  gl.attachShader(prog, compile(gl.FRAGMENT_SHADER, "precision mediump float; varying vec3 v; void main(){ gl_FragColor=vec4(v,1.0); }"));
  gl.linkProgram(prog);
  gl.useProgram(prog);
  const pbuf = gl.createBuffer();
  gl.bindBuffer(gl.ARRAY_BUFFER, pbuf);
  gl.bufferData(gl.ARRAY_BUFFER, new Float32Array(positions), gl.STATIC_DRAW);
  const pl = gl.getAttribLocation(prog, "p");
  gl.enableVertexAttribArray(pl);
  gl.vertexAttribPointer(pl, 2, gl.FLOAT, false, 0, 0);
  const cbuf = gl.createBuffer();
  gl.bindBuffer(gl.ARRAY_BUFFER, cbuf);
  gl.bufferData(gl.ARRAY_BUFFER, colours, gl.DYNAMIC_DRAW);
  const cl = gl.getAttribLocation(prog, "c");
  gl.enableVertexAttribArray(cl);
  gl.vertexAttribPointer(cl, 3, gl.FLOAT, false, 0, 0);
  const offset = gl.getUniformLocation(prog, "o");
  const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  let ox = 0;
  let dirty = true;
  const px = new Uint8Array(4);
  return {
    name: "webgl",
    apply: (deltas) => {
      for (const d of deltas) {
        const r = ranges.get(d.grid_id);
        if (!r) continue;
        const c = rgb(d.colour === "red" && d.overdue > 0 ? palette.overdueFill : palette[d.colour as GridColour]);
        for (let v = r[0]; v < r[1]; v++) colours.set(c, v * 3);
        dirty = true;
      }
    },
    paint: () => {
      if (!dirty) return;
      dirty = false;
      gl.bindBuffer(gl.ARRAY_BUFFER, cbuf);
      gl.bufferSubData(gl.ARRAY_BUFFER, 0, colours);
      gl.uniform2f(offset, ox, 0);
      gl.clearColor(0.04, 0.07, 0.13, 1);
      gl.clear(gl.COLOR_BUFFER_BIT);
      gl.drawArrays(gl.TRIANGLES, 0, count);
    },
    pan: (dx) => {
      ox += (2 * dx) / innerWidth;
      dirty = true;
    },
    sync: () => gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px),
    destroy: () => canvas.remove(),
    stats: () => ({ triangles: count / 3, renderer: gl.getParameter(gl.RENDERER), version: gl.getParameter(gl.VERSION) }),
  };
}

/** Leaflet's own GeoJSON type, which our structural FeatureCollection satisfies. */
type GeoJsonData = Parameters<typeof L.geoJSON>[0];

/** Leaflet's private canvas-renderer fields this bench drives. */
interface CanvasInternals {
  _ctx: CanvasRenderingContext2D;
  _redrawRequest: number | null;
  _redraw(): void;
}

/**
 * Leaflet makes its canvas and context itself; for the CPU-canvas variant its
 * getContext call is given the same `willReadFrequently` GridMap uses, so the
 * comparison is of the renderers, not of the canvas backing.
 */
function withSoftwareCanvas<T>(on: boolean, make: () => T): T {
  if (!on) return make();
  const original = HTMLCanvasElement.prototype.getContext;
  const patched = function (this: HTMLCanvasElement, type: string, attrs?: object) {
    return original.call(this, type, { ...attrs, willReadFrequently: true });
  };
  HTMLCanvasElement.prototype.getContext = patched as typeof original;
  try {
    return make();
  } finally {
    HTMLCanvasElement.prototype.getContext = original;
  }
}

function leafletSubject(grids: FeatureCollection, towns: FeatureCollection, softwareCanvas: boolean): Subject {
  return withSoftwareCanvas(softwareCanvas, () => leafletSubjectOn(grids, towns, softwareCanvas));
}

function leafletSubjectOn(grids: FeatureCollection, towns: FeatureCollection, softwareCanvas: boolean): Subject {
  const el = document.createElement("div");
  el.style.cssText = "position:absolute;inset:0;background:#0b1220";
  stage.appendChild(el);
  const renderer = L.canvas({ padding: 0.1 });
  const map = L.map(el, {
    renderer,
    preferCanvas: true,
    zoomControl: false,
    attributionControl: false,
    zoomSnap: 0,
    fadeAnimation: false,
    zoomAnimation: false,
    markerZoomAnimation: false,
    inertia: false,
  });
  const gridOnly = { type: "FeatureCollection", features: grids.features.filter((f) => f.properties?.level === "grid") };
  const style = (d: GridDelta | null): L.PathOptions => {
    const fill = !d
      ? palette.noData
      : d.stale
        ? palette.stale[d.colour]
        : d.colour === "red" && d.overdue > 0
          ? palette.overdueFill
          : palette[d.colour];
    const overdue = !!d && d.overdue > 0;
    return {
      fillColor: fill,
      fillOpacity: 1,
      color: overdue ? palette.overdueOutline : palette.gridBorder,
      weight: overdue ? 2.5 : 1.25,
      opacity: 1,
    };
  };
  const byId = new Map<string, L.Path>();
  const gridLayer = L.geoJSON(gridOnly as GeoJsonData, {
    style: () => style(null),
    onEachFeature: (f, layer) => byId.set(String(f.properties.grid_id), layer as L.Path),
  }).addTo(map);
  L.geoJSON(towns as GeoJsonData, {
    style: () => ({ color: palette.townBorder, weight: 2.5, fill: false, interactive: false }),
  }).addTo(map);
  map.fitBounds(gridLayer.getBounds(), { animate: false, padding: [8, 8] });
  const r = renderer as unknown as CanvasInternals;
  const paint = (): void => {
    if (r._redrawRequest !== null) {
      L.Util.cancelAnimFrame(r._redrawRequest);
      r._redrawRequest = null;
      r._redraw();
    }
  };
  paint();
  return {
    name: softwareCanvas ? "leaflet_cpu" : "leaflet",
    apply: (deltas) => {
      for (const d of deltas) byId.get(d.grid_id)?.setStyle(style(d));
    },
    paint,
    pan: (dx, dy) => map.panBy([-dx, -dy], { animate: false }),
    sync: () => void r._ctx.getImageData(0, 0, 1, 1),
    destroy: () => {
      map.remove();
      el.remove();
    },
  };
}

interface Figures {
  frames: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
}

function figures(samples: number[]): Figures {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    frames: s.length,
    p50: round(q(0.5)),
    p95: round(q(0.95)),
    p99: round(q(0.99)),
    mean: round(s.reduce((a, b) => a + b, 0) / Math.max(1, s.length)),
    max: round(s[s.length - 1] ?? NaN),
  };
}

const nextFrame = (): Promise<number> => new Promise((resolve) => requestAnimationFrame(resolve));

/** Changes `RATE` grids a second, in per-frame batches, and times each frame's paint. */
async function runChanges(
  subject: Subject,
  ids: readonly string[],
): Promise<Figures & { paint_p50: number; interval_p50: number; interval_p95: number }> {
  const r = rng(20261127);
  const batch: GridDelta[] = [];
  const samples: number[] = [];
  const paints: number[] = [];
  const intervals: number[] = [];
  let owed = 0;
  let last = await nextFrame();
  const start = last;
  for (;;) {
    const now = await nextFrame();
    if (now - start > WARMUP_MS + SECONDS * 1000) break;
    owed += (RATE * (now - last)) / 1000;
    if (now - start > WARMUP_MS) intervals.push(now - last);
    last = now;
    batch.length = 0;
    while (owed >= 1) {
      batch.push(randomDelta(ids, r));
      owed -= 1;
    }
    const t0 = performance.now();
    subject.apply(batch);
    subject.paint();
    const tp = performance.now();
    subject.sync();
    const t1 = performance.now();
    if (now - start > WARMUP_MS) {
      samples.push(t1 - t0);
      paints.push(tp - t0);
    }
  }
  // paint_p50: the same frames without the read-back, i.e. the JavaScript and whatever the engine does eagerly.
  // interval_*: time between animation frames, which adds the engine's own repaint of the window.
  const gaps = figures(intervals);
  return { ...figures(samples), paint_p50: figures(paints).p50, interval_p50: gaps.p50, interval_p95: gaps.p95 };
}

/** Pans a few pixels every frame: each frame is a full redraw in both renderers. */
async function runPan(subject: Subject): Promise<Figures> {
  const samples: number[] = [];
  const start = await nextFrame();
  let k = 0;
  for (;;) {
    const now = await nextFrame();
    if (now - start > PAN_SECONDS * 1000) break;
    const dx = k++ % 120 < 60 ? 3 : -3;
    const t0 = performance.now();
    subject.pan(dx, 0);
    subject.paint();
    subject.sync();
    samples.push(performance.now() - t0);
  }
  return figures(samples);
}

/**
 * With profile=1, every CanvasRenderingContext2D method is wrapped to add up
 * its time and calls (coarse: WebKit's clock has ~1 ms steps, so only totals
 * over many calls mean anything).
 */
const profile: Record<string, { ms: number; calls: number }> = {};
function installProfiler(): void {
  const proto = CanvasRenderingContext2D.prototype as unknown as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const desc = Object.getOwnPropertyDescriptor(proto, name);
    if (!desc || typeof desc.value !== "function" || name === "constructor") continue;
    const original = desc.value as (...args: unknown[]) => unknown;
    proto[name] = function (this: unknown, ...args: unknown[]) {
      const t0 = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        const entry = (profile[name] ??= { ms: 0, calls: 0 });
        entry.ms += performance.now() - t0;
        entry.calls++;
      }
    };
  }
}

async function main(): Promise<void> {
  if (params.has("profile")) installProfiler();
  const [grids, towns, names] = (await Promise.all([
    load(params.get("geometry") ?? "geometry.geojson.gz"),
    load(params.get("towns") ?? "towns.geojson"),
    load(params.get("names") ?? "grids.json"),
  ])) as [FeatureCollection, FeatureCollection, { grids: GridLabel[] }];
  const ids = grids.features
    .filter((f) => f.properties?.level === "grid")
    .map((f) => String(f.properties?.grid_id));
  log(`loaded ${ids.length} grids; ${innerWidth}×${innerHeight} CSS px at dpr ${devicePixelRatio}`);

  if (params.has("probe")) {
    await probe(grids);
    return;
  }
  if (params.has("tiles")) {
    await probeTiles();
    return;
  }
  if (params.has("view")) {
    await view(grids, towns, names.grids, ids);
    return;
  }
  if (params.has("svelte")) {
    await svelteDemo(grids, towns, names.grids, ids);
    return;
  }

  const result: Record<string, unknown> = {
    bench: "map",
    size: [innerWidth, innerHeight],
    dpr: devicePixelRatio,
    seconds: SECONDS,
    rate: RATE,
    grids: ids.length,
    userAgent: navigator.userAgent,
  };
  const makers: [string, () => Subject][] = [
    ["gridmap", () => gridMapSubject(grids, towns, names.grids, true)],
    ["gridmap_gpu", () => gridMapSubject(grids, towns, names.grids, false)],
    ["leaflet", () => leafletSubject(grids, towns, false)],
    ["leaflet_cpu", () => leafletSubject(grids, towns, true)],
    ["webgl", () => webglSubject(grids)],
  ];
  const wanted = (only ?? "gridmap,leaflet,leaflet_cpu").split(",");
  for (const [name, make] of makers) {
    if (!wanted.includes(name)) continue;
    log(`${name}: ${SECONDS} s at ${RATE} changes/s…`);
    const subject = make();
    const changes = await runChanges(subject, ids);
    const pan = PAN_SECONDS > 0 ? await runPan(subject) : null;
    subject.destroy();
    result[name] = { changes, pan, stats: subject.stats?.() };
    if (params.has("profile")) {
      result[`${name}_profile`] = Object.fromEntries(
        Object.entries(profile).map(([k, v]) => [k, { ms: Math.round(v.ms), calls: v.calls }]),
      );
      for (const k of Object.keys(profile)) delete profile[k];
    }
    log(`${name}: ${JSON.stringify(result[name])}`);
  }
  type Run = { changes: Figures; pan: Figures | null } | undefined;
  const g = result.gridmap as Run;
  const ratio = (a: number, b: number): number => Math.round((a / Math.max(b, 0.1)) * 100) / 100;
  for (const other of ["leaflet", "leaflet_cpu", "webgl"]) {
    const l = result[other] as Run;
    if (!g || !l) continue;
    result[`${other}_over_gridmap`] = {
      changes_p50: ratio(l.changes.p50, g.changes.p50),
      changes_p95: ratio(l.changes.p95, g.changes.p95),
      pan_p50: g.pan && l.pan ? ratio(l.pan.p50, g.pan.p50) : null,
    };
  }
  const json = JSON.stringify(result);
  console.log(json);
  log(json);
  document.title = `BENCH:${json}`;
}

/**
 * Times the canvas operations the map is made of, one kind at a time, each
 * followed by the same one-pixel read-back, to find where a frame's time goes.
 */
async function probe(grids: FeatureCollection): Promise<void> {
  const canvas = document.createElement("canvas");
  const tile = Number(params.get("tile") ?? 0);
  canvas.width = tile || innerWidth * devicePixelRatio;
  canvas.height = tile || innerHeight * devicePixelRatio;
  canvas.style.cssText = tile ? `position:absolute;left:0;top:0;width:${tile}px;height:${tile}px` : "position:absolute;inset:0;width:100%;height:100%";
  stage.appendChild(canvas);
  const ctx = canvas.getContext("2d", { alpha: false, willReadFrequently: params.has("cpu") })!;
  const { City } = await import("../src/map/city");
  const city = City.from(grids);
  const paths = city.gridShapes.map((s) => {
    const p = new Path2D();
    for (const r of s.rings) {
      p.moveTo(r[0]!, r[1]!);
      for (let k = 2; k < r.length; k += 2) p.lineTo(r[k]!, r[k + 1]!);
      p.closePath();
    }
    return p;
  });
  const k = Math.min(canvas.width / (city.maxX - city.minX), canvas.height / (city.maxY - city.minY));
  const world = (): void =>
    ctx.setTransform(k, 0, 0, -k, canvas.width / 2 - ((city.minX + city.maxX) / 2) * k, canvas.height / 2 + ((city.minY + city.maxY) / 2) * k);
  const some = Array.from({ length: 20 }, (_, i) => (i * 86) % paths.length);
  const cases: [string, () => void][] = [
    ["nothing", () => {}],
    ["fillRect 20 small", () => some.forEach((_, i) => ctx.fillRect(10 * i, 10, 8, 8))],
    ["fillRect full canvas", () => ctx.fillRect(0, 0, canvas.width, canvas.height)],
    ["fill 20 grid paths", () => (world(), some.forEach((i) => ctx.fill(paths[i]!)), ctx.resetTransform())],
    ["stroke 20 grid paths", () => (world(), (ctx.lineWidth = 1.25 / k), some.forEach((i) => ctx.stroke(paths[i]!)), ctx.resetTransform())],
    ["fill all 1724 grid paths", () => (world(), paths.forEach((p) => ctx.fill(p)), ctx.resetTransform())],
    ["stroke all 1724 grid paths", () => (world(), (ctx.lineWidth = 1.25 / k), paths.forEach((p) => ctx.stroke(p)), ctx.resetTransform())],
    [
      "fill all as one combined path (built each time)",
      () => {
        const all = new Path2D();
        paths.forEach((p) => all.addPath(p));
        world();
        ctx.fill(all);
        ctx.resetTransform();
      },
    ],
    [
      "stroke all as one combined path (built each time)",
      () => {
        const all = new Path2D();
        paths.forEach((p) => all.addPath(p));
        world();
        ctx.lineWidth = 1.25 / k;
        ctx.stroke(all);
        ctx.resetTransform();
      },
    ],
    [
      "fill 20 paths combined",
      () => {
        const all = new Path2D();
        some.forEach((i) => all.addPath(paths[i]!));
        world();
        ctx.fill(all);
        ctx.resetTransform();
      },
    ],
    [
      "clip 20 rects + fill 20 paths",
      () => {
        ctx.save();
        ctx.beginPath();
        some.forEach((_, i) => ctx.rect(40 * i, 40, 30, 30));
        ctx.clip();
        world();
        some.forEach((i) => ctx.fill(paths[i]!));
        ctx.restore();
      },
    ],
    [
      "strokeText+fillText 5 labels 30px",
      () => {
        ctx.font = `700 30px ${'"Noto Sans CJK SC", sans-serif'}`;
        ctx.lineWidth = 6;
        ctx.lineJoin = "round";
        for (let i = 0; i < 5; i++) {
          ctx.strokeText("观海卫镇", 100 + 150 * i, 300);
          ctx.fillText("观海卫镇", 100 + 150 * i, 300);
        }
      },
    ],
    [
      "fillText 5 labels 30px",
      () => {
        ctx.font = `700 30px ${'"Noto Sans CJK SC", sans-serif'}`;
        for (let i = 0; i < 5; i++) ctx.fillText("观海卫镇", 100 + 150 * i, 340);
      },
    ],
  ];
  const result: Record<string, number> = {};
  for (const [name, draw] of cases) {
    const samples: number[] = [];
    for (let f = 0; f < 40; f++) {
      await nextFrame();
      ctx.fillStyle = f % 2 ? "#1f6b55" : "#c98a1b";
      ctx.strokeStyle = "#0b1220";
      const t0 = performance.now();
      draw();
      ctx.getImageData(0, 0, 1, 1);
      samples.push(performance.now() - t0);
    }
    result[name] = figures(samples.slice(5)).p50;
    log(`${name}: ${result[name]} ms`);
  }
  const json = JSON.stringify({ bench: "map", probe: result, size: [innerWidth, innerHeight] });
  console.log(json);
  document.title = `BENCH:${json}`;
}

/**
 * Whether one big canvas or a mosaic of tiles costs the engine less per frame
 * when a small part changes: the time between animation frames (which
 * includes the engine's own painting and compositing) with one small fill a
 * frame, on a window-sized canvas and on the same area cut into 512 px tiles.
 */
async function probeTiles(): Promise<void> {
  const W = innerWidth * devicePixelRatio,
    H = innerHeight * devicePixelRatio;
  const result: Record<string, Figures> = {};
  for (const tile of [0, 512, 256]) {
    stage.replaceChildren();
    const canvases: CanvasRenderingContext2D[] = [];
    const tw = tile || W,
      th = tile || H;
    for (let y = 0; y < H; y += th) {
      for (let x = 0; x < W; x += tw) {
        const c = document.createElement("canvas");
        c.width = Math.min(tw, W - x);
        c.height = Math.min(th, H - y);
        c.style.cssText = `position:absolute;left:${x / devicePixelRatio}px;top:${y / devicePixelRatio}px;width:${c.width / devicePixelRatio}px;height:${c.height / devicePixelRatio}px`;
        stage.appendChild(c);
        const ctx = c.getContext("2d", { alpha: false, willReadFrequently: true })!;
        ctx.fillStyle = "#1f6b55";
        ctx.fillRect(0, 0, c.width, c.height);
        canvases.push(ctx);
      }
    }
    const intervals: number[] = [];
    let last = await nextFrame();
    for (let f = 0; f < 90; f++) {
      const ctx = canvases[(f * 7) % canvases.length]!;
      ctx.fillStyle = f % 2 ? "#c98a1b" : "#b8323c";
      ctx.fillRect(20, 20, 40, 40);
      const now = await nextFrame();
      if (f >= 10) intervals.push(now - last);
      last = now;
    }
    result[tile ? `tiles_${tile}` : "one_canvas"] = figures(intervals);
    log(`${tile}: ${JSON.stringify(result[tile ? `tiles_${tile}` : "one_canvas"])}`);
  }
  const json = JSON.stringify({ bench: "map", frame_interval_ms: result, size: [innerWidth, innerHeight] });
  console.log(json);
  document.title = `BENCH:${json}`;
}

/** Mounts the Svelte wrapper as the wall will, feeds it for a while, and reports what it shows. */
async function svelteDemo(grids: FeatureCollection, towns: FeatureCollection, names: GridLabel[], ids: string[]): Promise<void> {
  out.remove();
  const { mount } = await import("svelte");
  const { default: WallMapDemo } = await import("./WallMapDemo.svelte");
  const r = rng(11);
  const feed: { sink: ((d: readonly GridDelta[]) => void) | null } = { sink: null };
  mount(WallMapDemo, {
    target: stage,
    props: {
      city: { grids, towns, names },
      lang: params.get("lang") === "en" ? "en" : "zh-CN",
      feed: (apply: (d: readonly GridDelta[]) => void) => {
        feed.sink = apply;
        return () => (feed.sink = null);
      },
    },
  });
  for (let k = 0; k < 60; k++) {
    await nextFrame();
    feed.sink?.(ids.slice(0, k === 0 ? ids.length : 5).map(() => randomDelta(ids, r)));
  }
  const hooks = window.__gridwallMap;
  const json = JSON.stringify({
    bench: "map",
    svelte: true,
    grids: hooks?.count(),
    frames: hooks?.frames(),
    legend: document.querySelector("[data-testid=grid-map-legend]")?.textContent?.replace(/\s+/g, " ").trim(),
  });
  console.log(json);
  document.title = `BENCH:${json}`;
}

/** Shows the map in a plausible state (and the legend's colours) without measuring. */
async function view(grids: FeatureCollection, towns: FeatureCollection, names: GridLabel[], ids: string[]): Promise<void> {
  out.remove();
  const map = new GridMap(stage, { testHooks: true, lang: params.get("lang") === "en" ? "en" : "zh-CN" });
  map.setCity({ grids, towns, names });
  const r = rng(7);
  map.applyDeltas(ids.map((id) => randomDelta([id], r)));
  const focus = params.get("focus");
  if (focus) {
    map.select(focus);
    map.focus(focus);
  } else {
    map.select(ids[Math.floor(ids.length / 2)]!);
  }
  for (let k = 0; k < 30; k++) await nextFrame();
  // drag=N: pan N frames by a few pixels each, to look for seams left by shifted repaints.
  for (let k = 0; k < num("drag", 0); k++) {
    map.panBy(k % 3 === 0 ? 7 : -3, k % 2 ? 5 : -2);
    await nextFrame();
  }
  const json = JSON.stringify({ bench: "map", view: true, frames: map.stats().frames, grids: map.gridCount() });
  console.log(json);
  document.title = `BENCH:${json}`;
}

main().catch((e: unknown) => {
  const json = JSON.stringify({ bench: "map", error: String(e) });
  console.log(json);
  log(json);
  document.title = `BENCH:${json}`;
});
