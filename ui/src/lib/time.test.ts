import { describe, expect, it } from "vitest";
import { wallTime, nightDim, hourMinute, isAhead } from "./time";

describe("wallTime", () => {
  it("reads an instant in China Standard Time whatever offset it was written in", () => {
    expect(wallTime("2026-11-27T23:30:05Z")).toEqual({ date: "2026-11-28", weekday: 6, time: "07:30:05" });
    expect(wallTime("2026-11-27T08:00:00+08:00")?.time).toBe("08:00:00");
  });

  it("gives nothing for a time it cannot read rather than a wrong one", () => {
    expect(wallTime("not a time")).toBeNull();
  });
});

describe("nightDim", () => {
  const night = { from_minute: 23 * 60, to_minute: 6 * 60, dim: 0.25 };
  it("dims across midnight in China Standard Time, whatever the instant's offset", () => {
    expect(nightDim(night, "2026-11-27T23:30:00+08:00")).toBe(0.25);
    expect(nightDim(night, "2026-11-27T16:00:00Z")).toBe(0.25); // 00:00 in Cixi
    expect(nightDim(night, "2026-11-27T05:59:00+08:00")).toBe(0.25);
    expect(nightDim(night, "2026-11-27T06:00:00+08:00")).toBeNull();
    expect(nightDim(night, "2026-11-27T12:00:00+08:00")).toBeNull();
  });
  it("follows a schedule within one day, and none at all", () => {
    const afternoon = { from_minute: 13 * 60, to_minute: 14 * 60 + 30, dim: 0.5 };
    expect(nightDim(afternoon, "2026-11-27T14:00:00+08:00")).toBe(0.5);
    expect(nightDim(afternoon, "2026-11-27T14:30:00+08:00")).toBeNull();
    expect(nightDim(null, "2026-11-27T23:30:00+08:00")).toBeNull();
    expect(nightDim(night, null)).toBeNull();
  });
});

describe("timestamps on the ticker", () => {
  it("are read in China Standard Time whatever offset the platform wrote", () => {
    expect(hourMinute("2026-12-05T16:05:00Z")).toBe("00:05");
    expect(hourMinute("2026-12-06T00:05:00+08:00")).toBe("00:05");
    expect(hourMinute("not a time")).toBe("--:--");
  });
  it("a record stamped after the platform's clock (beyond 5 minutes) is suspect", () => {
    const now = "2026-12-05T12:00:00+08:00";
    expect(isAhead("2026-12-05T15:00:00+08:00", now)).toBe(true);
    expect(isAhead("2026-12-05T12:04:00+08:00", now)).toBe(false);
    expect(isAhead("2026-12-05T11:00:00+08:00", now)).toBe(false);
    expect(isAhead("2026-12-05T15:00:00+08:00", null)).toBe(false);
  });
});
