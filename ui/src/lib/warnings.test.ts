import { describe, expect, it } from "vitest";
import { mergeWarnings, warningsAt } from "./warnings";
import type { WarningItem } from "../bindings/WarningItem";

const w = (id: string, updated: string, state = "open"): WarningItem => ({
  id, kind: "rate", level: 3, place_level: "grid", place_code: "G1",
  onset: updated, raised_at: updated, updated_at: updated,
  explanation_zh: "说明", explanation_en: "why", baseline: 1, observed: 5, ratio: 5, p_value: 0.001,
  window_minutes: 60, sources: [], event_ids: [], grids: [], villages: [], towns: [], state, state_by: null, state_at: null, note: null,
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

describe("warnings at a level of the console", () => {
  const at = (id: string, grids: string[], villages: string[], towns: string[]): WarningItem => ({
    ...w(id, "2026-12-05T10:00:00+08:00"), grids, villages, towns,
  });
  const all = [at("g", ["V1G01"], ["V1"], ["T1"]), at("t", [], [], ["T2"]), at("v", ["V3G02"], ["V3"], ["T1"])];
  it("the city sees all; a town, village or grid only those below it", () => {
    const ids = (level: string, id: string, grid: string | null = null) => warningsAt(all, level, id, grid).map((x) => x.id);
    expect(ids("city", "330282")).toEqual(["g", "t", "v"]);
    expect(ids("town", "T1")).toEqual(["g", "v"]);
    expect(ids("town", "T2")).toEqual(["t"]);
    expect(ids("village", "V3")).toEqual(["v"]);
    expect(ids("grid", "V1G01")).toEqual(["g"]);
    expect(ids("micro_grid", "V1G01M02", "V1G01")).toEqual(["g"]);
    expect(ids("grid", "V9G01")).toEqual([]);
  });
});
