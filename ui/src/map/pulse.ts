// The overdue pulse: the halo around overdue grids breathes in a few steps
// for a while after a grid falls overdue, then stands still at full strength.
// Each frame asks it to step; when the step changes, every overdue grid is
// marked dirty and the painter redraws them with `haloAlpha`/`haloWidthCss`.
//
// Why it stops: the overdue grids lie all over the city, and a canvas's
// damage is the bounding box of what was drawn on it, so every step repaints
// nearly the whole map (measured with benches/damage.rs: most of the quiet
// wall's repainted pixels were the pulse). Motion draws the eye to a change;
// a steady bright halo keeps saying "overdue" without repainting anything.

import type { GridState } from "./state";

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
/** How long the halo breathes after a grid falls overdue: five periods. */
export const PULSE_FOR_MS = 5 * PULSE_MS;

export class Pulse {
  /** The step drawn now, or -1 when the halo stands still at full strength. */
  private level = -1;
  /** `state.overdueRaised` when last looked at, and when the current breathing ends. */
  private seen = 0;
  private until = -Infinity;

  constructor(
    private readonly enabled: boolean,
    private readonly state: GridState,
  ) {}

  /** Whether the pulse is breathing, so the frame loop keeps asking for frames. */
  get running(): boolean {
    return this.level >= 0;
  }

  /** Moves the pulse to `now`, marking the overdue grids dirty when its step changes. */
  step(now: number): void {
    if (this.state.overdueRaised !== this.seen) {
      this.seen = this.state.overdueRaised;
      this.until = now + PULSE_FOR_MS;
    }
    const n = this.state.overdueCount;
    if (!this.enabled || n === 0 || n > PULSE_MAX_GRIDS || now >= this.until) {
      // Stopping mid-pulse: repaint the outlines once at full strength so they all match.
      if (this.level >= 0) this.state.markOverdueDirty();
      this.level = -1;
      return;
    }
    const level = PULSE_LEVELS[Math.floor(((now % PULSE_MS) / PULSE_MS) * PULSE_LEVELS.length)]!;
    if (level === this.level) return;
    this.level = level;
    this.state.markOverdueDirty();
  }

  /** The overdue halo's opacity at this step. */
  haloAlpha(): number {
    return 0.15 + (0.6 * this.strength()) / PULSE_STEPS;
  }

  /** The overdue halo's line width at this step, in CSS pixels. */
  haloWidthCss(): number {
    return 5 + (4 * this.strength()) / PULSE_STEPS;
  }

  private strength(): number {
    return this.level < 0 ? PULSE_STEPS : this.level;
  }
}
