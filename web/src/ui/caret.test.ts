import { describe, expect, it } from "vitest";
import { caretsAfterChange } from "./caret";

const caret = (before: string, after: string, pos: number) => caretsAfterChange(before, after, [pos])[0];

describe("caret after a merged change", () => {
  it("stays put when the change is after it, also text added right at it", () => {
    expect(caret("First paragraph.", "First paragraph.\n\nFrom the laptop.", 16)).toBe(16);
  });
  it("moves by the change when the change is before it", () => {
    expect(caret("abc xyz", "NEW abc xyz", 7)).toBe(11);
  });
  it("stays after the same word when the text changed both before and after it", () => {
    const after = "HELLO there world f";
    expect(after.slice(0, caret("hello world foo", after, 11))).toBe("HELLO there world");
  });
  it("inside words another device deleted, goes where they were; a selection's ends move apart", () => {
    expect(caret("keep drop keep", "keep keep", 7)).toBe(5);
    expect(caretsAfterChange("one two three", "zero one two three four", [4, 7])).toEqual([9, 12]);
  });
  it("a short unchanged word between two changes keeps the caret beside it, not at the start", () => {
    expect(caret("one a two", "ONE a TWO", 5)).toBe(5);
  });
});
