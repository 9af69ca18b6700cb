import { describe, expect, it } from "vitest";
import type { GridMapStats } from "./GridMap";
import { PULSE_FOR_MS, Pulse } from "./pulse";
import { GridState } from "./state";

/** A state with three grids, the first and last overdue, and nothing dirty. */
function stateWithOverdue(): GridState {
  const st = new GridState({} as GridMapStats);
  st.overdue = Int32Array.from([2, 0, 1]);
  st.overdueCount = 2;
  st.overdueRaised = 2;
  st.dirty = new Int32Array(3);
  st.dirtyMark = new Uint8Array(3);
  return st;
}

describe("Pulse", () => {
  it("steps four times per period, repainting the overdue grids only when the step changes", () => {
    const st = stateWithOverdue();
    const pulse = new Pulse(true, st);
    pulse.step(0);
    expect(pulse.running).toBe(true);
    expect(Array.from(st.dirty.subarray(0, st.dirtyCount))).toEqual([0, 2]);
    expect(pulse.haloAlpha()).toBeCloseTo(0.15);
    st.clearDirty();
    pulse.step(500); // still the first quarter of 2.4 s
    expect(st.dirtyCount).toBe(0);
    pulse.step(1200); // the bright step
    expect(st.dirtyCount).toBe(2);
    expect(pulse.haloAlpha()).toBeCloseTo(0.75);
    expect(pulse.haloWidthCss()).toBeCloseTo(9);
  });

  it("stops above 160 overdue grids, repainting the outlines once at full strength", () => {
    const st = stateWithOverdue();
    const pulse = new Pulse(true, st);
    pulse.step(0);
    st.clearDirty();
    st.overdueCount = 161;
    pulse.step(100);
    expect(pulse.running).toBe(false);
    expect(st.dirtyCount).toBe(2);
    expect(pulse.haloAlpha()).toBeCloseTo(0.75);
    st.clearDirty();
    pulse.step(1300);
    expect(st.dirtyCount).toBe(0);
  });

  it("breathes for five periods after a grid falls overdue, then stands still until another does", () => {
    const st = stateWithOverdue();
    const pulse = new Pulse(true, st);
    pulse.step(0);
    expect(pulse.running).toBe(true);
    st.clearDirty();
    pulse.step(PULSE_FOR_MS + 1);
    expect(pulse.running).toBe(false);
    // Once more at full strength, so every outline matches, then nothing.
    expect(st.dirtyCount).toBe(2);
    expect(pulse.haloAlpha()).toBeCloseTo(0.75);
    st.clearDirty();
    pulse.step(PULSE_FOR_MS + 5000);
    expect(st.dirtyCount).toBe(0);
    expect(pulse.running).toBe(false);
    // A grid falls overdue: the halo breathes again.
    st.overdueRaised += 1;
    st.overdueCount += 1;
    pulse.step(PULSE_FOR_MS + 6000);
    expect(pulse.running).toBe(true);
    expect(st.dirtyCount).toBe(2);
  });

  it("stands still when turned off (reduced motion)", () => {
    const st = stateWithOverdue();
    const pulse = new Pulse(false, st);
    expect(pulse.running).toBe(false);
    pulse.step(0);
    expect(st.dirtyCount).toBe(0);
    expect(pulse.haloWidthCss()).toBeCloseTo(9);
  });
});
