import { describe, expect, it } from "vitest";
import { warnedGrids, warningDeltas } from "./warningLayer";
import { WallState } from "./wall.svelte";
import type { WarningItem } from "../bindings/WarningItem";
import type { GridDelta } from "../map/GridMap";

const at = "2026-12-05T10:00:00+08:00";
const w = (id: string, level: number, grids: string[], state = "open"): WarningItem => ({
  id, kind: "rate", level, place_level: "town", place_code: "T1",
  onset: at, raised_at: at, updated_at: at,
  explanation_zh: "说明", explanation_en: "why", baseline: 1, observed: 5, ratio: 5, p_value: 0.001,
  window_minutes: 60, sources: [], event_ids: [], grids, villages: [], towns: [], state, state_by: null, state_at: null, note: null,
});

describe("the warnings layer", () => {
  it("colours a grid by its highest pending warning; a warning fed back no longer counts", () => {
    const warned = warnedGrids([w("a", 2, ["G1", "G2"]), w("b", 4, ["G2"], "handed_over"), w("c", 4, ["G3"], "fed_back")]);
    expect([...warned.entries()].sort()).toEqual([["G1", 2], ["G2", 4]]);
    const grids = new Map<string, GridDelta>([
      ["G3", { grid_id: "G3", colour: "red", open: 9, overdue: 2 }],
      ["G4", { grid_id: "G4", colour: "amber", open: 1, overdue: 0 }],
    ]);
    const byId = Object.fromEntries(warningDeltas(grids, warned).map((d) => [d.grid_id, [d.colour, d.overdue]]));
    expect(byId).toEqual({ G1: ["amber", 0], G2: ["red", 0], G3: ["green", 2], G4: ["green", 0] });
  });

  it("the wall repaints warned grids as warnings come and go, only in the warnings layer", () => {
    const wall = new WallState();
    const painted: GridDelta[][] = [];
    wall.onGridDeltas((d) => painted.push([...d]));
    wall.apply({ kind: "grids", full: true, grids: [{ grid_id: "G1", colour: "amber", open: 1, overdue: 0, severe: 0 }] } as never);
    wall.apply({ kind: "warnings", full: false, warnings: [w("a", 3, ["G1"])] });
    expect(painted.length).toBe(1); // status layer: the warning changes no colour
    wall.setMapLayer("warnings");
    expect(painted.at(-1)!.find((d) => d.grid_id === "G1")!.colour).toBe("red");
    wall.apply({ kind: "warnings", full: false, warnings: [{ ...w("a", 3, ["G1"], "fed_back"), updated_at: "2026-12-05T11:00:00+08:00" }] });
    expect(painted.at(-1)!.find((d) => d.grid_id === "G1")!.colour).toBe("green");
    wall.setMapLayer("status");
    expect(painted.at(-1)!.find((d) => d.grid_id === "G1")!.colour).toBe("amber");
  });
});
