// `window.__gridwallMap`: what the end-to-end tests (tests/*.rs) and the
// benchmarks (benches/*.rs, ui/bench) ask the live map through WebDriver.
// Installed only with `testHooks: true`. The names and shapes here are read by
// Rust test code as strings: keep them as they are.

import type { GridMap, GridMapStats } from "./GridMap";
import type { GridColour } from "./palette";
import type { GridState } from "./state";
import type { Viewport } from "./viewport";

export interface TestHooks {
  colourOf(gridId: string): GridColour | null;
  /** The colour the map holds for a grid, painted or not yet (null before any status). */
  receivedOf(gridId: string): GridColour | null;
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

/** The hooks of one map; `paintTimes` is the map's own list, emptied by each `takePaintTimes`. */
export function makeTestHooks(
  map: Pick<GridMap, "colourOf" | "gridCount" | "selected">,
  counters: GridMapStats,
  paintTimes: number[],
  state: GridState,
  viewport: Viewport,
): TestHooks {
  const view = viewport.view;
  return {
    colourOf: (id) => map.colourOf(id),
    receivedOf: (id) => state.receivedOf(id),
    count: () => map.gridCount(),
    selected: () => map.selected(),
    frames: () => counters.frames,
    takePaintTimes: () => paintTimes.splice(0),
    screenPointOf: (id) => {
      const city = state.city;
      const i = city?.indexOf(id);
      if (i === undefined || !city) return null;
      const x = view.screenX(city.gridLabelX[i]!),
        y = view.screenY(city.gridLabelY[i]!);
      return viewport.onCanvas(x, y) ? [x, y] : null;
    },
    screenPointAt: (lon, lat) => {
      if (!state.city) return null;
      const [x, y] = viewport.toScreen(lon, lat);
      return viewport.onCanvas(x, y) ? [x, y] : null;
    },
  };
}
