import { describe, expect, it } from "vitest";
import type { Crumb } from "../bindings/Crumb";
import { codeName, dictionary } from "../lib/i18n";
import {
  activeFilterCount,
  breakdownRows,
  kpiText,
  defaultFilters,
  LIST_MAX,
  moreCount,
  formatCountdown,
  gridOf,
  moveIndex,
  parentOf,
  reachedPhase,
  secondsLeft,
  shortTime,
  toFilter,
  toggle,
} from "./logic";

const zh = dictionary("zh-CN");
const en = dictionary("en");

describe("filters", () => {
  it("sends open incidents of any kind by default", () => {
    expect(toFilter(defaultFilters())).toEqual({
      sources: [],
      severities: [],
      states: [],
      open_only: true,
      overdue_only: false,
      window_hours: null,
      limit: null,
    });
    expect(activeFilterCount(defaultFilters())).toBe(0);
  });

  it("asks the first page of the list unless more was asked", () => {
    expect(toFilter(defaultFilters(), 150).limit).toBe(150);
    expect(moreCount(50, 320)).toBe(50);
    expect(moreCount(100, 120)).toBe(20);
    expect(moreCount(120, 120)).toBe(0);
    expect(moreCount(LIST_MAX, 5000)).toBe(0);
    expect(moreCount(980, 5000)).toBe(LIST_MAX - 980);
  });

  it("turns a time window into hours and drops the open-only rule", () => {
    const f = toFilter({ ...defaultFilters(), window: "7d", overdueOnly: true, sources: ["petition"] });
    expect(f.window_hours).toBe(168);
    expect(f.open_only).toBe(false);
    expect(f.overdue_only).toBe(true);
    expect(f.sources).toEqual(["petition"]);
    expect(toFilter({ ...defaultFilters(), window: "30d" }).window_hours).toBe(720);
  });

  it("toggles a chip on and off and keeps the chips' order", () => {
    const order = ["police_110", "litigation", "petition", "risk"];
    const on = toggle(toggle([], "risk", order), "police_110", order);
    expect(on).toEqual(["police_110", "risk"]);
    expect(toggle(on, "risk", order)).toEqual(["police_110"]);
    expect(activeFilterCount({ ...defaultFilters(), sources: on, window: "24h" })).toBe(3);
  });
});

describe("the SLA countdown", () => {
  it("counts down hours, minutes and seconds before the deadline", () => {
    expect(formatCountdown(2 * 3600 + 3 * 60 + 12, zh)).toEqual({ text: "剩余 02:03:12", overdue: false, urgent: false });
    expect(formatCountdown(59, zh)?.urgent).toBe(true);
  });

  it("says overdue, unmistakably, once the deadline has passed", () => {
    const c = formatCountdown(-(86_400 + 61), zh);
    expect(c).toEqual({ text: "已超时 1天 00:01:01", overdue: true, urgent: false });
    expect(formatCountdown(-5, en)?.text).toBe("Overdue by 00:00:05");
  });

  it("shows nothing when there is no deadline", () => {
    expect(formatCountdown(null, zh)).toBeNull();
  });

  it("ticks in platform time: local seconds times the clock's speed", () => {
    expect(secondsLeft(100, 1_000, 11_000, 1)).toBe(90);
    expect(secondsLeft(100, 1_000, 3_000, 60)).toBe(-20);
    expect(secondsLeft(null, 0, 0, 1)).toBeNull();
  });
});

describe("the closed loop", () => {
  it("reaches 发现 at the first entry and 反馈 when resolved", () => {
    expect(reachedPhase([])).toBe(-1);
    expect(reachedPhase(["reported"])).toBe(0);
    expect(reachedPhase(["reported", "accepted"])).toBe(1);
    expect(reachedPhase(["reported", "accepted", "dispatched", "in_progress"])).toBe(2);
    expect(reachedPhase(["reported", "accepted", "dispatched", "resolved", "closed"])).toBe(3);
  });

  it("reads times in China Standard Time", () => {
    expect(shortTime("2026-11-27T01:05:12Z")).toBe("11-27 09:05:12");
    expect(shortTime("garbage")).toBe("garbage");
  });
});

describe("the tree", () => {
  const crumbs: Crumb[] = [
    { place: { level: "city", id: "" }, name: "慈溪市" },
    { place: { level: "town", id: "330282001" }, name: "浒山街道" },
    { place: { level: "village", id: "330282001001" }, name: "解放社区" },
    { place: { level: "grid", id: "330282001001G01" }, name: "第一网格" },
    { place: { level: "micro_grid", id: "330282001001G01M1" }, name: "微网格1" },
  ];

  it("goes up one level, and nowhere from the city", () => {
    expect(parentOf(crumbs)).toEqual({ level: "grid", id: "330282001001G01" });
    expect(parentOf(crumbs.slice(0, 1))).toBeNull();
  });

  it("finds the grid of a micro-grid, and none above grids", () => {
    expect(gridOf(crumbs)).toBe("330282001001G01");
    expect(gridOf(crumbs.slice(0, 3))).toBeNull();
  });

  it("moves through a list with the arrows and stops at its ends", () => {
    expect(moveIndex("ArrowDown", 0, 3)).toBe(1);
    expect(moveIndex("ArrowDown", 2, 3)).toBe(2);
    expect(moveIndex("ArrowUp", 0, 3)).toBe(0);
    expect(moveIndex("End", 0, 3)).toBe(2);
    expect(moveIndex("a", 0, 3)).toBeNull();
    expect(moveIndex("ArrowDown", 0, 0)).toBeNull();
  });
});

describe("level figures", () => {
  it("formats KPIs as the wall does", () => {
    expect(kpiText(0.9234, true, zh)).toBe("92.3%");
    expect(kpiText(41.6, false, zh)).toBe("42分钟");
    expect(kpiText(null, true, zh)).toBe("—");
  });

  it("sums the open breakdown by source, biggest first", () => {
    const rows = breakdownRows([
      { source: "petition", severity: 1, count: 2 },
      { source: "police_110", severity: 3, count: 4 },
      { source: "petition", severity: 4, count: 1 },
      { source: "police_110", severity: 1, count: 1 },
    ]);
    expect(rows).toEqual([
      { source: "police_110", bySeverity: [1, 0, 4, 0], total: 5 },
      { source: "petition", bySeverity: [2, 0, 0, 1], total: 3 },
    ]);
  });
});

describe("names of codes", () => {
  it("names known codes in Chinese and English, and shows an unknown one as it came", () => {
    expect(codeName(zh, "states", "in_progress")).toBe("处置中");
    expect(codeName(en, "states", "in_progress")).toBe("In progress");
    expect(codeName(zh, "categories", "dispute.neighbour")).toBe("邻里纠纷");
    expect(codeName(zh, "source_marks", "petition")).toBe("访");
    expect(codeName(zh, "categories", "traffic.new")).toBe("traffic.new");
    expect(codeName(zh, "mediation", null)).toBe("—");
  });
});
