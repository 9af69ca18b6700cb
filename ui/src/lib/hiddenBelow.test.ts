import { describe, expect, it } from "vitest";
import { hiddenBelow } from "./hiddenBelow";

/** A list of `rows` rows of `height` px (offsets rounded, as the DOM's are), `clientHeight` tall. */
function list(rows: number, height: number, clientHeight: number, scrollTop: number): HTMLElement {
  const children = Array.from({ length: rows }, (_, i) => ({
    offsetTop: Math.round(i * height),
    offsetHeight: Math.round(height),
  }));
  return {
    offsetTop: 0,
    scrollTop,
    clientHeight,
    scrollHeight: rows * height,
    children,
  } as unknown as HTMLElement;
}

describe("hiddenBelow", () => {
  it("counts the rows below the visible area", () => {
    expect(hiddenBelow(list(24, 20, 300, 0))).toBe(9);
    expect(hiddenBelow(list(24, 20, 300, 100))).toBe(4);
  });

  it("counts none when everything fits", () => {
    expect(hiddenBelow(list(5, 20, 300, 0))).toBe(0);
  });

  it("counts none scrolled to the end, though rounded row offsets overshoot", () => {
    // Scrolled to its end (192 + 300 = its 492 px), but the last row's
    // rounded offset and height (each off by up to a pixel, and the list's
    // own offset too) read 2 px further down.
    const rows = list(24, 20.5, 300, 192);
    Object.assign(rows, { scrollHeight: 492 });
    Object.assign(rows.children[23]!, { offsetTop: 473, offsetHeight: 21 });
    expect(hiddenBelow(rows)).toBe(0);
  });
});
