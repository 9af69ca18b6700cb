// What the map knows about each grid, and what is waiting to be painted: the
// one place every part of GridMap reads and writes. `applyDeltas` ends here
// (it only writes typed arrays and marks grids dirty); the painter reads it
// once per frame; selection, the zone veil and the pulse mark grids dirty
// through it. Plain data and a few small methods, so the parts share no
// hidden state and the painter's loops can read the arrays straight.

import type { City } from "./city";
import type { GridDelta, GridMapStats } from "./GridMap";
import type { GridColour } from "./palette";

// Colour codes by grid index; 0 is "no status yet".
export const GREEN = 1,
  AMBER = 2,
  RED = 3;
const COLOUR_CODE: Record<string, number> = { green: GREEN, amber: AMBER, red: RED };
const COLOUR_NAME: (GridColour | null)[] = [null, "green", "amber", "red"];

export class GridState {
  /** The loaded city, null before `setCity` and after `destroy`. */
  city: City | null = null;

  // Status by grid index.
  colour = new Uint8Array(0);
  overdue = new Int32Array(0);
  stale = new Uint8Array(0);
  /**
   * Style code last painted (colour | overdue << 2 | stale << 3 | 16 once painted | 32 selected),
   * for tests and for the margin a partial paint clears around a grid.
   */
  painted = new Uint8Array(0);
  overdueCount = 0;
  /** Grids that fell overdue so far (never decreases): the pulse starts again when it grows. */
  overdueRaised = 0;

  /** The selected grid's index, or -1. */
  selectedIndex = -1;
  /** 1 for each grid outside the zone (drawn veiled), or null without a zone. */
  outside: Uint8Array | null = null;

  // Changes waiting for the next frame.
  dirty = new Int32Array(0);
  dirtyMark = new Uint8Array(0);
  dirtyCount = 0;
  needFull = true;
  /** Device pixels the picture on the canvas must move by before the next partial paint. */
  shiftX = 0;
  shiftY = 0;

  constructor(private readonly counters: GridMapStats) {}

  /** Takes a new city: every grid without status, nothing selected, nothing dirty. */
  load(city: City): void {
    const n = city.gridCount();
    this.city = city;
    this.colour = new Uint8Array(n);
    this.overdue = new Int32Array(n);
    this.stale = new Uint8Array(n);
    this.painted = new Uint8Array(n);
    this.overdueCount = 0;
    this.dirty = new Int32Array(n);
    this.dirtyMark = new Uint8Array(n);
    this.dirtyCount = 0;
    this.selectedIndex = -1;
  }

  /**
   * Writes the deltas into the status arrays and marks the grids whose look
   * changed; true when any did. Unknown grids and colours are counted in
   * `unknownDeltas` and skipped. Needs a city.
   */
  apply(deltas: readonly GridDelta[]): boolean {
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
      if (this.overdue[i]! > 0 !== overdue > 0) {
        this.overdueCount += overdue > 0 ? 1 : -1;
        if (overdue > 0) this.overdueRaised++;
      }
      this.colour[i] = code;
      this.overdue[i] = overdue;
      this.stale[i] = stale;
      this.markDirty(i);
      changed = true;
    }
    return changed;
  }

  markDirty(i: number): void {
    if (this.dirtyMark[i]) return;
    this.dirtyMark[i] = 1;
    this.dirty[this.dirtyCount++] = i;
  }

  markOverdueDirty(): void {
    for (let i = 0; i < this.overdue.length; i++) if (this.overdue[i]! > 0) this.markDirty(i);
  }

  /** Empties the dirty list once a frame has dealt with it (painted or not). */
  clearDirty(): void {
    for (let k = 0; k < this.dirtyCount; k++) this.dirtyMark[this.dirty[k]!] = 0;
    this.dirtyCount = 0;
  }

  selectedId(): string | null {
    return this.selectedIndex >= 0 ? (this.city?.gridIds[this.selectedIndex] ?? null) : null;
  }

  /** The colour held for a grid, painted or not yet, or null before any status (or for an unknown grid). */
  receivedOf(gridId: string): GridColour | null {
    const i = this.city?.indexOf(gridId);
    return i === undefined ? null : (COLOUR_NAME[this.colour[i]!] ?? null);
  }

  /** The status last painted for a grid, or null before any (or for an unknown grid). */
  colourOf(gridId: string): GridColour | null {
    const i = this.city?.indexOf(gridId);
    if (i === undefined || !(this.painted[i]! & 16)) return null;
    return COLOUR_NAME[this.painted[i]! & 3] ?? null;
  }
}
