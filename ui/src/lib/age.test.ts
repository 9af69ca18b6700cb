import { describe, expect, it } from "vitest";
import { ageText, dictionary } from "./i18n";

const zh = dictionary("zh-CN");
const at = "2026-12-06T08:00:00Z";
const after = (s: number) => new Date(Date.parse(at) + s * 1000).toISOString();

describe("ageText", () => {
  it("says just now for the first ten seconds", () => {
    expect(ageText(zh, after(0), at)).toBe("刚刚");
    expect(ageText(zh, after(9.9), at)).toBe("刚刚");
  });

  it("counts seconds in steps of ten, so a panel's age changes once in ten seconds", () => {
    const shown = new Set(Array.from({ length: 110 }, (_, s) => ageText(zh, after(10 + s), at)));
    expect([...shown]).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110].map((n) => `${n} 秒前`));
  });

  it("counts minutes from two minutes on, in English too", () => {
    expect(ageText(zh, after(125), at)).toBe("2 分钟前");
    expect(ageText(dictionary("en"), after(600), at)).toBe("10 min ago");
  });

  it("shows nothing without both times, and no negative age for a clock behind", () => {
    expect(ageText(zh, null, at)).toBeNull();
    expect(ageText(zh, after(-30), at)).toBe("刚刚");
  });
});
