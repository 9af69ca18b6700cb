// A page's own choices (the grid selected on the map, the map's layer, a
// camera layout picked by hand, the place in the rotation), reported to
// Rust as they change and handed back by `windowSetup` when the page is
// reloaded by the watchdog or the quiet hour, so the wall comes back as it
// was and not as it started.

import type { PageView } from "../bindings/PageView";
import type { MapLayer } from "./wall.svelte";
import { isLayout, type LayoutId } from "../video/layouts";

export type { PageView };

const LAYERS: readonly MapLayer[] = ["status", "breach", "warnings"];

/** What a page restores from a reported view; anything unknown is left at its default. */
export interface Restored {
  selectedGrid: string | null;
  mapLayer: MapLayer;
  videoLayout: LayoutId | null;
  sceneIndex: number;
}

export function restore(view: PageView | null | undefined): Restored {
  const layer = view?.map_layer ?? null;
  const layout = view?.video_layout ?? null;
  return {
    selectedGrid: view?.selected_grid ?? null,
    mapLayer: LAYERS.find((l) => l === layer) ?? "status",
    videoLayout: isLayout(layout) ? layout : null,
    sceneIndex: Math.max(0, Math.floor(view?.scene_index ?? 0)),
  };
}

export function viewOf(state: Restored): PageView {
  return {
    selected_grid: state.selectedGrid,
    map_layer: state.mapLayer,
    video_layout: state.videoLayout,
    scene_index: state.sceneIndex,
  };
}

/**
 * Calls `report` with the newest view once the page has been quiet for
 * `quietMs`, and never with a view equal to the last one reported.
 */
export class ViewReporter {
  private last: string | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly report: (view: PageView) => void,
    private readonly quietMs = 300,
  ) {}

  /** The view the page restored: known to Rust already, not reported again. */
  seed(view: PageView): void {
    this.last = JSON.stringify(view);
  }

  changed(view: PageView): void {
    const text = JSON.stringify(view);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (text === this.last) return;
      this.last = text;
      this.report(view);
    }, this.quietMs);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
