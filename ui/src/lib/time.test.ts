import { describe, expect, it } from "vitest";
import { wallTime } from "./time";

describe("wallTime", () => {
  it("reads an instant in China Standard Time whatever offset it was written in", () => {
    expect(wallTime("2026-11-27T23:30:05Z")).toEqual({ date: "2026-11-28", weekday: 6, time: "07:30:05" });
    expect(wallTime("2026-11-27T08:00:00+08:00")?.time).toBe("08:00:00");
  });

  it("gives nothing for a time it cannot read rather than a wrong one", () => {
    expect(wallTime("not a time")).toBeNull();
  });
});
