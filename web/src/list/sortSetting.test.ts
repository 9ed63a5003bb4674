import { describe, expect, it } from "vitest";
import { readSort } from "./sortSetting";

const stored = (value: string | null) => ({ getItem: () => value });

describe("the remembered sort", () => {
  it("reads a saved order and falls back to edited for nothing or nonsense", () => {
    expect(readSort(stored("title"))).toBe("title");
    expect(readSort(stored("created"))).toBe("created");
    expect(readSort(stored(null))).toBe("edited");
    expect(readSort(stored("size"))).toBe("edited");
    expect(readSort(undefined)).toBe("edited");
  });
});
