import { describe, expect, it } from "vitest";
import { LIST_PAGE_ROWS, LIST_WINDOW_ROWS, windowStart } from "./window";

describe("the list window", () => {
  it("covers the rows on screen with a page either side, and moves only at page edges", () => {
    expect(windowStart(0)).toBe(0);
    expect(windowStart(LIST_PAGE_ROWS - 1)).toBe(0);
    expect(windowStart(LIST_PAGE_ROWS)).toBe(0);
    expect(windowStart(2 * LIST_PAGE_ROWS + 7)).toBe(LIST_PAGE_ROWS);
    for (const first of [0, 49, 50, 123, 9_960]) {
      const start = windowStart(first);
      // A screen of rows (under a page) starting at `first` lies inside the window.
      expect(start).toBeLessThanOrEqual(first);
      expect(first + LIST_PAGE_ROWS).toBeLessThanOrEqual(start + LIST_WINDOW_ROWS);
    }
  });
});
