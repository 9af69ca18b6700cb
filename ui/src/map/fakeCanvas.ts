// A minimal stand-in for a DOM container, a canvas and its 2D context, so the
// map's logic (loading, coalescing, hit tests, selection) runs under vitest in
// Node with no jsdom and no native canvas module. It records what was drawn
// in enough detail for tests to tell one paint from another; it rasterizes
// nothing, so pixel questions belong to the benchmark page in a real webview.

export class FakePath2D {
  points = 0;
  /** Each subpath's vertices, flat [x0, y0, x1, y1, ...], for `filledAt`. */
  subpaths: number[][] = [];
  moveTo(x = 0, y = 0): void {
    this.points++;
    this.subpaths.push([x, y]);
  }
  lineTo(x = 0, y = 0): void {
    this.points++;
    (this.subpaths[this.subpaths.length - 1] ??= []).push(x, y);
  }
  closePath(): void {}
  addPath(other: FakePath2D): void {
    this.points += other.points;
    for (const s of other.subpaths) this.subpaths.push(s.slice());
  }
}

/**
 * Whether a canvas fill of `path` with `rule` covers the point (x, y), in the
 * path's own coordinates: the winding number of its closed subpaths, as the
 * canvas spec defines both rules. Pixels without a rasterizer.
 */
export function filledAt(path: FakePath2D, rule: CanvasFillRule, x: number, y: number): boolean {
  let winding = 0;
  for (const s of path.subpaths) {
    const n = s.length >> 1;
    for (let k = 0; k < n; k++) {
      const x0 = s[2 * k]!,
        y0 = s[2 * k + 1]!;
      const x1 = s[(2 * k + 2) % (2 * n)]!,
        y1 = s[(2 * k + 3) % (2 * n)]!;
      const cross = (x1 - x0) * (y - y0) - (x - x0) * (y1 - y0);
      if (y0 <= y && y1 > y && cross > 0) winding++;
      else if (y1 <= y && y0 > y && cross < 0) winding--;
    }
  }
  return rule === "evenodd" ? winding % 2 !== 0 : winding !== 0;
}

export interface DrawCall {
  op: "fill" | "stroke" | "fillRect" | "fillText" | "drawImage";
  style: unknown;
  target?: unknown;
  rule?: CanvasFillRule;
}

export class FakeContext {
  fillStyle: unknown = "#000";
  strokeStyle: unknown = "#000";
  lineWidth = 1;
  lineJoin = "miter";
  lineCap = "butt";
  globalAlpha = 1;
  font = "10px sans-serif";
  textAlign = "start";
  textBaseline = "alphabetic";
  calls: DrawCall[] = [];
  clips = 0;
  private depth = 0;

  setTransform(): void {}
  save(): void {
    this.depth++;
  }
  restore(): void {
    this.depth--;
  }
  beginPath(): void {}
  rect(): void {}
  moveTo(): void {}
  lineTo(): void {}
  clip(): void {
    this.clips++;
  }
  fillRect(): void {
    this.calls.push({ op: "fillRect", style: this.fillStyle });
  }
  fill(path?: unknown, rule: CanvasFillRule = "nonzero"): void {
    this.calls.push({ op: "fill", style: this.fillStyle, target: path, rule });
  }
  stroke(path?: unknown): void {
    this.calls.push({ op: "stroke", style: this.strokeStyle, target: path });
  }
  fillText(text: string): void {
    this.calls.push({ op: "fillText", style: this.fillStyle, target: text });
  }
  strokeText(): void {}
  drawImage(image: unknown): void {
    this.calls.push({ op: "drawImage", style: null, target: image });
  }
  measureText(text: string): { width: number } {
    return { width: text.length * 10 };
  }
  createPattern(): { setTransform(): void } {
    return { setTransform() {} };
  }
  getImageData(): { data: Uint8ClampedArray } {
    return { data: new Uint8ClampedArray(4) };
  }
  /** Save/restore balance: anything but 0 after a paint is a leaked clip or transform. */
  get saveDepth(): number {
    return this.depth;
  }
}

type Listener = (e: unknown) => void;

export class FakeCanvas {
  width = 300;
  height = 150;
  tabIndex = -1;
  style: Record<string, string> = {};
  readonly context = new FakeContext();
  readonly attributes = new Map<string, string>();
  readonly listeners = new Map<string, Listener[]>();
  removed = false;

  constructor(readonly ownerDocument: FakeDocument) {}

  getContext(): FakeContext {
    return this.context;
  }
  setAttribute(name: string, value: string): void {
    this.attributes.set(name, value);
  }
  getAttribute(name: string): string | null {
    return this.attributes.get(name) ?? null;
  }
  addEventListener(type: string, fn: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  removeEventListener(type: string, fn: Listener): void {
    this.listeners.set(
      type,
      (this.listeners.get(type) ?? []).filter((f) => f !== fn),
    );
  }
  /** Calls the listeners of an event type with a plain object as the event. */
  dispatch(type: string, event: Record<string, unknown>): void {
    const e = { type, preventDefault() {}, ...event };
    for (const fn of this.listeners.get(type) ?? []) fn(e);
  }
  getBoundingClientRect(): { left: number; top: number; width: number; height: number } {
    return { left: 0, top: 0, width: this.width, height: this.height };
  }
  focus(): void {}
  setPointerCapture(): void {}
  remove(): void {
    this.removed = true;
  }
}

export class FakeDocument {
  readonly defaultView = null;
  readonly canvases: FakeCanvas[] = [];
  createElement(tag: string): FakeCanvas {
    if (tag !== "canvas") throw new Error(`the fake document makes only canvases, not ${tag}`);
    const c = new FakeCanvas(this);
    this.canvases.push(c);
    return c;
  }
}

export class FakeContainer {
  readonly ownerDocument = new FakeDocument();
  constructor(
    public clientWidth: number,
    public clientHeight: number,
  ) {}
  appendChild(): void {}
  /** The map's own canvas (the first one created). */
  get canvas(): FakeCanvas {
    return this.ownerDocument.canvases[0]!;
  }
}

/** Frames run only when the test says so, so "how many paints" is exact. */
export class ManualFrames {
  private queue = new Map<number, (t: number) => void>();
  private next = 1;
  requested = 0;
  readonly request = (cb: (t: number) => void): number => {
    this.requested++;
    this.queue.set(this.next, cb);
    return this.next++;
  };
  readonly cancel = (h: number): void => {
    this.queue.delete(h);
  };
  get pending(): number {
    return this.queue.size;
  }
  /** Runs the frames requested so far (not those they request). */
  run(): void {
    const q = [...this.queue.values()];
    this.queue.clear();
    for (const cb of q) cb(0);
  }
}

/** Installs a global Path2D for Node (the map builds one per grid). */
export function installFakePath2D(): void {
  (globalThis as unknown as { Path2D: unknown }).Path2D ??= FakePath2D;
}
