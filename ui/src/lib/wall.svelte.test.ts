import { describe, expect, it } from "vitest";
import type { BroadcastBoard } from "../bindings/BroadcastBoard";
import type { GridDelta } from "../map/GridMap";
import { WallState } from "./wall.svelte";

function board(open: boolean, full: boolean, grids: [string, number, number][]): BroadcastBoard {
  return {
    local_id: 1,
    broadcast_id: "GB00000001",
    title: "<b>台风</b>",
    sent_at: "2026-12-05T14:00:00+08:00",
    due_at: "2026-12-05T14:15:00+08:00",
    ack_deadline_at: "2026-12-05T14:15:00+08:00",
    open,
    recipients: 20,
    acked: 12,
    acked_within: 12,
    towns: [],
    grids: grids.map(([grid_id, acked, recipients]) => ({ grid_id, acked, recipients })),
    full,
    missing: [],
    missing_grids: 1,
    reminder_5: false,
    reminder_10: false,
    at: "2026-12-05T14:03:00+08:00",
  };
}

describe("the map while a broadcast is open", () => {
  it("shows acknowledgement colours, holds event statuses back, and restores them when it closes", () => {
    const wall = new WallState();
    const seen: GridDelta[][] = [];
    wall.onGridDeltas((d) => seen.push([...d]));
    const status = { colour: "amber", open: 2, overdue: 0, severe: 0 } as const;
    wall.apply({ kind: "grids", grids: [{ grid_id: "G1", ...status }], full: true });
    expect(seen.at(-1)?.[0]?.colour).toBe("amber");

    wall.apply({ kind: "broadcast", board: board(true, true, [["G1", 10, 10], ["G2", 2, 10]]) });
    expect(wall.ackMode).toBe(true);
    expect(wall.broadcast?.grids).toEqual([]);
    expect(seen.at(-1)?.map((d) => [d.grid_id, d.colour])).toEqual([
      ["G1", "green"],
      ["G2", "red"],
    ]);

    // Event statuses keep arriving but do not repaint the map now.
    const before = seen.length;
    wall.apply({ kind: "grids", grids: [{ grid_id: "G1", ...status, colour: "red" }], full: false });
    expect(seen.length).toBe(before);

    // A delta carries only the grids that changed.
    wall.apply({ kind: "broadcast", board: board(true, false, [["G2", 9, 10]]) });
    expect(seen.at(-1)?.map((d) => [d.grid_id, d.colour])).toEqual([["G2", "amber"]]);

    // Closed: the statuses are back, and a grid only the broadcast coloured is cleared.
    wall.apply({ kind: "broadcast", board: board(false, false, []) });
    expect(wall.ackMode).toBe(false);
    expect(seen.at(-1)?.map((d) => [d.grid_id, d.colour])).toEqual([
      ["G1", "red"],
      ["G2", "green"],
    ]);
  });
});
