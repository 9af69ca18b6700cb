import { describe, expect, it } from "vitest";
import { clockText, footingWords, secondsBetween } from "./words";

describe("footing words", () => {
  it("times the footing from its start in platform time", () => {
    expect(secondsBetween("2026-12-05T08:00:00+08:00", "2026-12-05T09:02:03+08:00")).toBe(3723);
    expect(secondsBetween(null, "2026-12-05T09:02:03+08:00")).toBe(0);
    expect(clockText(3723)).toBe("1:02:03");
    expect(clockText(59)).toBe("00:59");
  });

  it("names every kind and role in both languages", () => {
    expect(footingWords("zh-CN").kinds.typhoon).toBe("台风");
    expect(footingWords("en").roles.duty_officer).toBe("Duty officer");
  });
});
