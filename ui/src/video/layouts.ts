// The matrix's layouts and scenes, as plain data: what the matrix shows is a
// pure function of these, so it can be tested without a webview.

import type { CameraTile } from "../bindings/CameraTile";

export type LayoutId = "1" | "4" | "1+5" | "9" | "16";
export const LAYOUTS: readonly LayoutId[] = ["1", "4", "1+5", "9", "16"];

/** How many tiles a layout has, and its CSS grid (the first tile may span). */
export interface LayoutSpec {
  tiles: number;
  columns: number;
  rows: number;
  /** The first tile's span in both directions (2 for the focus tile of 1+5). */
  firstSpan: number;
}

export function layoutSpec(id: LayoutId): LayoutSpec {
  switch (id) {
    case "1":
      return { tiles: 1, columns: 1, rows: 1, firstSpan: 1 };
    case "4":
      return { tiles: 4, columns: 2, rows: 2, firstSpan: 1 };
    case "1+5":
      return { tiles: 6, columns: 3, rows: 3, firstSpan: 2 };
    case "9":
      return { tiles: 9, columns: 3, rows: 3, firstSpan: 1 };
    case "16":
      return { tiles: 16, columns: 4, rows: 4, firstSpan: 1 };
  }
}

export function isLayout(value: unknown): value is LayoutId {
  return typeof value === "string" && (LAYOUTS as readonly string[]).includes(value);
}

/** A layout with the cameras of its tiles (fewer ids than tiles leaves tiles empty). */
export interface Scene {
  layout: LayoutId;
  cameras: string[];
}

/**
 * The rotation's scenes: the online cameras of the catalogue in order, cut
 * into scenes of the layout's size, at most `limit` of them. The first is
 * the default scene.
 */
export function defaultScenes(cameras: readonly CameraTile[], layout: LayoutId, limit = 8): Scene[] {
  const size = layoutSpec(layout).tiles;
  const online = cameras.filter((c) => c.online).map((c) => c.camera_id);
  const scenes: Scene[] = [];
  for (let at = 0; at < online.length && scenes.length < limit; at += size) {
    scenes.push({ layout, cameras: online.slice(at, at + size) });
  }
  if (!scenes.length) scenes.push({ layout, cameras: [] });
  return scenes;
}

/** Ground distance in metres, good enough to rank cameras inside one city. */
export function distance(a: readonly number[], b: readonly number[]): number {
  const rad = Math.PI / 180;
  const [lonA = 0, latA = 0] = a;
  const [lonB = 0, latB = 0] = b;
  const x = (lonB - lonA) * Math.cos(((latA + latB) / 2) * rad);
  const y = latB - latA;
  return Math.hypot(x, y) * rad * 6_371_000;
}

/**
 * The `count` online cameras nearest to a place: those of the grid itself
 * first, then by distance from `point` (when known). Cameras without a
 * location only count when they belong to the grid.
 */
export function nearestCameras(
  cameras: readonly CameraTile[],
  gridId: string | null,
  point: readonly number[] | null,
  count: number,
): string[] {
  const ranked = cameras
    .filter((c) => c.online && ((gridId !== null && c.grid_id === gridId) || (point && c.location)))
    .map((c) => ({
      id: c.camera_id,
      inGrid: gridId !== null && c.grid_id === gridId,
      metres: point && c.location ? distance(point, c.location) : Number.POSITIVE_INFINITY,
    }));
  ranked.sort((a, b) => Number(b.inGrid) - Number(a.inGrid) || a.metres - b.metres);
  return ranked.slice(0, count).map((r) => r.id);
}
