// Whether the page shows its whole picture again after loading (a start, or
// a reload by the watchdog): the clock running on the live picture, the
// map drawn with its grids, every camera tile with a picture (or saying its
// camera is offline). The page sends it with each heartbeat, so the app's
// status can tell how long a healed window stayed less than whole.
// Read from the DOM the components already mark, so no component reports.

import type { PageReport } from "../bindings/PageReport";

/** What the page shows now, read from the document. */
export function wholeNow(doc: Pick<Document, "querySelector" | "querySelectorAll">): {
  whole: boolean;
  pictures: number;
  tiles: number;
} {
  const clock = doc.querySelector<HTMLElement>("[data-testid=clock]");
  const running = !!clock && (clock.dataset.now ?? "") !== "";
  const maps = Array.from(doc.querySelectorAll<HTMLElement>("canvas[data-grid-count]"));
  const mapsDrawn = maps.every((m) => Number(m.dataset.gridCount) > 0 && Number(m.dataset.frames) > 0);
  const tiles = Array.from(doc.querySelectorAll<HTMLElement>("[data-testid=video-tile]")).filter(
    (t) => (t.dataset.camera ?? "") !== "",
  );
  const shown = tiles.map((t) => t.querySelector("img.shown, video.shown") !== null);
  const pictures = shown.filter(Boolean).length;
  const settled = tiles.every((t, i) => shown[i] || t.dataset.mode === "offline");
  const something = maps.length + tiles.length > 0;
  return { whole: running && something && mapsDrawn && settled, pictures, tiles: tiles.length };
}

/** How often a loading page looks whether it is whole, and for how long. */
const LOOK_EVERY_MS = 200;
const LOOK_FOR_MS = 120_000;

/**
 * Looks every 200 ms (not every animation frame: a loop of frames would
 * keep a software-rendered window drawing) until the page is first whole,
 * and keeps when, in wall-clock ms: comparable with the app's and a soak's
 * clocks. A page not whole within two minutes stops looking and says so.
 */
export class WholeWatch {
  private wholeAt: number | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly doc: Pick<Document, "querySelector" | "querySelectorAll">,
    private readonly now: () => number = () => Date.now(),
  ) {}

  start(): void {
    const until = this.now() + LOOK_FOR_MS;
    const look = () => {
      if (wholeNow(this.doc).whole) this.wholeAt = this.now();
      else if (this.now() < until) this.timer = setTimeout(look, LOOK_EVERY_MS);
    };
    look();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  /** The heartbeat's report: when first whole (null: not yet), and the pictures now. */
  report(): PageReport {
    const { pictures, tiles } = wholeNow(this.doc);
    return { whole_at_ms: this.wholeAt, pictures, tiles };
  }
}
