import { describe, expect, it } from "vitest";
import { StepTimeout, summarise, until, withTimeout } from "./measure.ts";

describe("bench steps", () => {
  it("a stuck step fails with its name instead of hanging", async () => {
    const never = new Promise<never>(() => {});
    await expect(withTimeout(never, 20, "cold start paints a list")).rejects.toThrow(new StepTimeout("cold start paints a list: no result within 20 ms"));
  });

  it("a condition that never holds fails with its name", async () => {
    await expect(until(async () => false, 30, "all notes stored", 5)).rejects.toThrow(/all notes stored: did not happen within 30 ms/);
  });

  it("a condition that never answers fails too", async () => {
    await expect(until(() => new Promise<boolean>(() => {}), 30, "count notes", 5)).rejects.toThrow(/count notes/);
  });

  it("summarises repetitions as median, min and max", () => {
    expect(summarise([5, 1, 9, 3, 7])).toEqual({ median: 5, min: 1, max: 9, n: 5 });
  });
});
