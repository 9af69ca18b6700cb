import { describe, expect, it } from "vitest";
import { ackColour, ackDelta, countdownText, parseGridIds, percentText, ratio, secondsLeft } from "./broadcast";

describe("the broadcast countdown", () => {
  it("counts down in mm:ss and goes negative once late", () => {
    const due = "2026-12-05T14:15:00+08:00";
    expect(secondsLeft("2026-12-05T14:00:00+08:00", due)).toBe(900);
    expect(countdownText(900)).toBe("15:00");
    expect(countdownText(59)).toBe("00:59");
    expect(countdownText(secondsLeft("2026-12-05T14:16:05+08:00", due))).toBe("-01:05");
    expect(countdownText(null)).toBe("--:--");
    expect(secondsLeft(null, due)).toBeNull();
  });
});

describe("acknowledgement figures", () => {
  it("never rounds a shortfall up to a full house", () => {
    expect(percentText(15_576, 15_577)).toBe("99.9%");
    expect(percentText(0, 0)).toBe("100.0%");
    expect(ratio(3, 4)).toBe(0.75);
  });

  it("colours a grid green only when everyone acknowledged", () => {
    expect(ackColour(9, 9)).toBe("green");
    expect(ackColour(8, 9)).toBe("amber");
    expect(ackColour(7, 9)).toBe("red");
    expect(ackDelta({ grid_id: "G1", acked: 7, recipients: 9 })).toEqual({
      grid_id: "G1",
      colour: "red",
      open: 2,
      overdue: 0,
    });
  });

  it("reads grid ids typed any way", () => {
    expect(parseGridIds("330282004001G01, 330282004001G02\n330282004001G01，x")).toEqual([
      "330282004001G01",
      "330282004001G02",
      "x",
    ]);
  });
});
