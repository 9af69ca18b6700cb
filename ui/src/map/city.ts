// The city as the map draws it: every grid, micro-grid and town projected once
// into flat Float32Arrays of metres, with bounding boxes and a uniform bucket
// index for hit tests and dirty-rectangle queries. Nothing here touches a
// canvas, so it is tested in plain Node.
//
// Input is the upstream contract as is: the FeatureCollection of
// `GET /api/v1/grids/geometry` (properties `level` = "grid" with `grid_id`, or
// "micro_grid" with `micro_grid_id` and `grid_id`) and the towns'
// FeatureCollection (`code`, `name`, `centroid`). Features the map cannot use
// are skipped and counted, never thrown on: a wall keeps showing what it can.

import { Projection } from "./projection";

type Position = number[];
type PolygonCoords = Position[][];

export interface Geometry {
  type: string;
  coordinates?: unknown;
}

export interface Feature {
  type?: string;
  geometry: Geometry | null;
  properties: Record<string, unknown> | null;
}

export interface FeatureCollection {
  type?: string;
  features: Feature[];
}

/** A grid record as in the contract's `Grid`; only what the map shows. */
export interface GridLabel {
  grid_id: string;
  name: string;
  /** [lon, lat], a point inside the grid. */
  centroid?: number[];
}

/** One polygon or multipolygon in metres. Rings are open (no repeated closing vertex). */
export interface Shape {
  rings: Float32Array[];
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export interface Town {
  code: string;
  name: string;
  shape: Shape;
  labelX: number;
  labelY: number;
}

export class City {
  readonly gridIds: string[] = [];
  readonly gridShapes: Shape[] = [];
  /** Micro-grid shapes of each grid, by grid index. */
  readonly microShapes: Shape[][] = [];
  /** Grid names and label points by grid index (empty name when unknown). */
  readonly gridNames: string[] = [];
  readonly gridLabelX: Float64Array;
  readonly gridLabelY: Float64Array;
  readonly towns: Town[] = [];
  /** Features that could not be used (no id, unknown level, bad geometry, duplicate). */
  readonly skipped: number;
  readonly minX: number;
  readonly minY: number;
  readonly maxX: number;
  readonly maxY: number;
  readonly index: BucketIndex;
  private readonly byId = new Map<string, number>();

  private constructor(
    readonly projection: Projection,
    grids: FeatureCollection,
    towns: FeatureCollection | undefined,
    names: readonly GridLabel[] | undefined,
  ) {
    let skipped = 0;
    const micro: { gridId: string; shape: Shape }[] = [];
    for (const f of grids.features) {
      const props = f.properties ?? {};
      const gridId = props.grid_id;
      const shape = f.geometry ? toShape(f.geometry, projection) : null;
      if (typeof gridId !== "string" || shape === null) {
        skipped++;
      } else if (props.level === "grid") {
        if (this.byId.has(gridId)) {
          skipped++;
          continue;
        }
        this.byId.set(gridId, this.gridIds.length);
        this.gridIds.push(gridId);
        this.gridShapes.push(shape);
        this.microShapes.push([]);
      } else if (props.level === "micro_grid") {
        micro.push({ gridId, shape });
      } else {
        skipped++;
      }
    }
    for (const m of micro) {
      const i = this.byId.get(m.gridId);
      if (i === undefined) skipped++;
      else this.microShapes[i]!.push(m.shape);
    }

    const n = this.gridIds.length;
    this.gridLabelX = new Float64Array(n);
    this.gridLabelY = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const s = this.gridShapes[i]!;
      this.gridNames.push("");
      this.gridLabelX[i] = (s.minX + s.maxX) / 2;
      this.gridLabelY[i] = (s.minY + s.maxY) / 2;
    }
    for (const g of names ?? []) {
      const i = this.byId.get(g.grid_id);
      if (i === undefined) continue;
      this.gridNames[i] = g.name;
      const c = g.centroid;
      if (c && typeof c[0] === "number" && typeof c[1] === "number") {
        this.gridLabelX[i] = projection.x(c[0]);
        this.gridLabelY[i] = projection.y(c[1]);
      }
    }

    for (const f of towns?.features ?? []) {
      const props = f.properties ?? {};
      const shape = f.geometry ? toShape(f.geometry, projection) : null;
      if (shape === null) {
        skipped++;
        continue;
      }
      const c = props.centroid;
      const hasLabel = Array.isArray(c) && typeof c[0] === "number" && typeof c[1] === "number";
      this.towns.push({
        code: typeof props.code === "string" ? props.code : "",
        name: typeof props.name === "string" ? props.name : "",
        shape,
        labelX: hasLabel ? projection.x(c[0] as number) : (shape.minX + shape.maxX) / 2,
        labelY: hasLabel ? projection.y(c[1] as number) : (shape.minY + shape.maxY) / 2,
      });
    }

    this.skipped = skipped;
    let minX = Infinity,
      minY = Infinity,
      maxX = -Infinity,
      maxY = -Infinity;
    for (const s of [...this.gridShapes, ...this.towns.map((t) => t.shape)]) {
      minX = Math.min(minX, s.minX);
      minY = Math.min(minY, s.minY);
      maxX = Math.max(maxX, s.maxX);
      maxY = Math.max(maxY, s.maxY);
    }
    if (minX > maxX) minX = minY = maxX = maxY = 0;
    this.minX = minX;
    this.minY = minY;
    this.maxX = maxX;
    this.maxY = maxY;
    this.index = new BucketIndex(this.gridShapes, minX, minY, maxX, maxY);
  }

  /**
   * Builds the city from the geometry collection (grids and micro-grids), the
   * towns and optionally the grid records for names. The projection is centred
   * on the grids' extent.
   */
  static from(grids: FeatureCollection, towns?: FeatureCollection, names?: readonly GridLabel[]): City {
    const box = lonLatBox(grids);
    return new City(Projection.around(box[0], box[1], box[2], box[3]), grids, towns, names);
  }

  gridCount(): number {
    return this.gridIds.length;
  }

  indexOf(gridId: string): number | undefined {
    return this.byId.get(gridId);
  }

  /** The grid containing a point in metres, or -1. */
  gridAt(x: number, y: number): number {
    return this.index.find(x, y, (i) => contains(this.gridShapes[i]!, x, y));
  }
}

/** Even-odd point-in-polygon over every ring of a shape: holes and multipolygons come out right. */
export function contains(s: Shape, x: number, y: number): boolean {
  if (x < s.minX || x > s.maxX || y < s.minY || y > s.maxY) return false;
  let inside = false;
  for (const r of s.rings) {
    const n = r.length >> 1;
    let jx = r[2 * n - 2]!,
      jy = r[2 * n - 1]!;
    for (let k = 0; k < n; k++) {
      const ix = r[2 * k]!,
        iy = r[2 * k + 1]!;
      if (iy > y !== jy > y && x < ((jx - ix) * (y - iy)) / (jy - iy) + ix) inside = !inside;
      jx = ix;
      jy = iy;
    }
  }
  return inside;
}

function lonLatBox(fc: FeatureCollection): [number, number, number, number] {
  let minLon = Infinity,
    minLat = Infinity,
    maxLon = -Infinity,
    maxLat = -Infinity;
  for (const f of fc.features) {
    for (const poly of polygons(f.geometry)) {
      for (const ring of poly) {
        for (const p of ring) {
          const lon = p[0]!,
            lat = p[1]!;
          if (lon < minLon) minLon = lon;
          if (lon > maxLon) maxLon = lon;
          if (lat < minLat) minLat = lat;
          if (lat > maxLat) maxLat = lat;
        }
      }
    }
  }
  return minLon <= maxLon ? [minLon, minLat, maxLon, maxLat] : [0, 0, 0, 0];
}

function polygons(g: Geometry | null): PolygonCoords[] {
  if (!g || !Array.isArray(g.coordinates)) return [];
  if (g.type === "Polygon") return [g.coordinates as PolygonCoords];
  if (g.type === "MultiPolygon") return g.coordinates as PolygonCoords[];
  return [];
}

function isRing(ring: unknown): ring is Position[] {
  return (
    Array.isArray(ring) &&
    ring.length >= 3 &&
    ring.every((p) => Array.isArray(p) && Number.isFinite(p[0]) && Number.isFinite(p[1]))
  );
}

function toShape(g: Geometry, proj: Projection): Shape | null {
  const rings: Float32Array[] = [];
  let minX = Infinity,
    minY = Infinity,
    maxX = -Infinity,
    maxY = -Infinity;
  for (const poly of polygons(g)) {
    if (!Array.isArray(poly)) return null;
    for (const ring of poly) {
      if (!isRing(ring)) return null;
      const first = ring[0]!,
        last = ring[ring.length - 1]!;
      const n = first[0] === last[0] && first[1] === last[1] ? ring.length - 1 : ring.length;
      if (n < 3) return null;
      const a = new Float32Array(2 * n);
      for (let k = 0; k < n; k++) {
        const x = proj.x(ring[k]![0]!),
          y = proj.y(ring[k]![1]!);
        a[2 * k] = x;
        a[2 * k + 1] = y;
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
      rings.push(a);
    }
  }
  return rings.length > 0 ? { rings, minX, minY, maxX, maxY } : null;
}

/**
 * A uniform grid of buckets over the city, each listing the grids whose box
 * overlaps it, stored flat (offsets + items). With ~1,700 grids in ~40×40
 * buckets a point query looks at a handful of candidates; a rectangle query
 * deduplicates with a generation stamp so it allocates nothing.
 */
export class BucketIndex {
  private readonly cols: number;
  private readonly rows: number;
  private readonly cellW: number;
  private readonly cellH: number;
  private readonly offsets: Int32Array;
  private readonly items: Int32Array;
  private readonly stamp: Uint32Array;
  private generation = 0;

  constructor(
    private readonly shapes: readonly Shape[],
    private readonly minX: number,
    private readonly minY: number,
    private readonly maxX: number,
    private readonly maxY: number,
  ) {
    const side = Math.max(1, Math.ceil(Math.sqrt(shapes.length)));
    this.cols = side;
    this.rows = side;
    this.cellW = Math.max((maxX - minX) / side, 1e-6);
    this.cellH = Math.max((maxY - minY) / side, 1e-6);
    const counts = new Int32Array(this.cols * this.rows + 1);
    this.forEachCell(shapes, (c) => counts[c + 1]!++);
    for (let c = 0; c < this.cols * this.rows; c++) counts[c + 1]! += counts[c]!;
    this.offsets = counts;
    this.items = new Int32Array(counts[this.cols * this.rows]!);
    const fill = counts.slice(0, this.cols * this.rows);
    this.forEachCell(shapes, (c, i) => (this.items[fill[c]!++] = i));
    this.stamp = new Uint32Array(shapes.length);
  }

  private col(x: number): number {
    return Math.min(this.cols - 1, Math.max(0, Math.floor((x - this.minX) / this.cellW)));
  }

  private row(y: number): number {
    return Math.min(this.rows - 1, Math.max(0, Math.floor((y - this.minY) / this.cellH)));
  }

  private forEachCell(shapes: readonly Shape[], f: (cell: number, shape: number) => void): void {
    shapes.forEach((s, i) => {
      for (let r = this.row(s.minY); r <= this.row(s.maxY); r++) {
        for (let c = this.col(s.minX); c <= this.col(s.maxX); c++) f(r * this.cols + c, i);
      }
    });
  }

  /** The first shape in the point's bucket for which `test` holds, or -1. */
  find(x: number, y: number, test: (i: number) => boolean): number {
    if (x < this.minX || y < this.minY || x > this.maxX || y > this.maxY) return -1;
    const cell = this.row(y) * this.cols + this.col(x);
    for (let k = this.offsets[cell]!; k < this.offsets[cell + 1]!; k++) {
      const i = this.items[k]!;
      if (test(i)) return i;
    }
    return -1;
  }

  /**
   * Calls `visit` once for every shape whose box meets the rectangle. Between
   * `beginQuery` and the next `beginQuery`, several rectangles can be visited
   * and a shape met by more than one is still visited once.
   */
  beginQuery(): void {
    this.generation++;
    if (this.generation === 0xffffffff) {
      this.stamp.fill(0);
      this.generation = 1;
    }
  }

  visitRect(minX: number, minY: number, maxX: number, maxY: number, visit: (i: number) => void): void {
    const g = this.generation;
    for (let r = this.row(minY); r <= this.row(maxY); r++) {
      for (let c = this.col(minX); c <= this.col(maxX); c++) {
        const cell = r * this.cols + c;
        for (let k = this.offsets[cell]!; k < this.offsets[cell + 1]!; k++) {
          const i = this.items[k]!;
          if (this.stamp[i] === g) continue;
          const s = this.shapes[i]!;
          if (s.maxX < minX || s.minX > maxX || s.maxY < minY || s.minY > maxY) continue;
          this.stamp[i] = g;
          visit(i);
        }
      }
    }
  }
}
