import { describe, expect, it } from "vitest";
import { breachColour, breachDeltas, dueMap } from "./breach";
import type { GridDelta } from "../map/GridMap";

describe("the time-to-breach layer", () => {
  it("colours by how soon, not by how many", () => {
    expect(breachColour(2, 600)).toBe("red");
    expect(breachColour(0, 30)).toBe("red");
    expect(breachColour(0, 59.9)).toBe("red");
    expect(breachColour(0, 60)).toBe("amber");
    expect(breachColour(0, 239)).toBe("amber");
    expect(breachColour(0, 240)).toBe("green");
    expect(breachColour(0, null)).toBe("green");
  });

  it("a grid with many open incidents but no near deadline stays green; one due soon turns red", () => {
    const now = Date.parse("2026-12-05T12:00:00+08:00");
    const grids = new Map<string, GridDelta>([
      ["busy", { grid_id: "busy", colour: "red", open: 40, overdue: 0 }],
      ["late", { grid_id: "late", colour: "red", open: 1, overdue: 1 }],
    ]);
    const dues = dueMap([
      { grid_id: "busy", due_at: "2026-12-06T12:00:00+08:00" },
      { grid_id: "soon", due_at: "2026-12-05T12:20:00+08:00" },
    ]);
    const byId = Object.fromEntries(breachDeltas(grids, dues, now).map((d) => [d.grid_id, d.colour]));
    expect(byId).toEqual({ busy: "green", late: "red", soon: "red" });
    expect(breachDeltas(grids, dues, now, ["busy"]).map((d) => d.grid_id)).toEqual(["busy"]);
  });
});
