import { describe, expect, it } from "vitest";
import { mergeWarnings } from "./warnings";
import type { WarningItem } from "../bindings/WarningItem";

const w = (id: string, updated: string, state = "open"): WarningItem => ({
  id, kind: "rate", level: 3, place_level: "grid", place_code: "G1",
  onset: updated, raised_at: updated, updated_at: updated,
  explanation_zh: "说明", explanation_en: "why", baseline: 1, observed: 5, ratio: 5, p_value: 0.001,
  window_minutes: 60, sources: [], event_ids: [], grids: [], state, state_by: null, state_at: null, note: null,
});

describe("the windows' early warnings", () => {
  it("an update replaces its warning and comes first; full replaces all", () => {
    const first = mergeWarnings([], [w("a", "2026-12-05T10:00:00+08:00"), w("b", "2026-12-05T11:00:00+08:00")], false);
    expect(first.map((x) => x.id)).toEqual(["b", "a"]);
    const updated = mergeWarnings(first, [w("a", "2026-12-05T12:00:00+08:00", "handed_over")], false);
    expect(updated.map((x) => [x.id, x.state])).toEqual([["a", "handed_over"], ["b", "open"]]);
    expect(mergeWarnings(updated, [w("c", "2026-12-05T09:00:00+08:00")], true).map((x) => x.id)).toEqual(["c"]);
  });
});
