import { describe, expect, it } from "vitest";
import { caretAfterChange } from "./caret";

describe("caret after a merged change", () => {
  it("stays put when the change is after it", () => {
    expect(caretAfterChange("First paragraph.", "First paragraph.\n\nFrom the laptop.", 16)).toBe(16);
  });
  it("moves by the change when the change is before it", () => {
    expect(caretAfterChange("abc xyz", "NEW abc xyz", 7)).toBe(11);
  });
});
