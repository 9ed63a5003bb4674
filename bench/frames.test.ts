import { describe, expect, it } from "vitest";
import { frameStats } from "./frames.ts";

describe("frame times", () => {
  it("counts the frames over 16.7 ms (a frame on the 60 Hz beat is on time) and their p95", () => {
    const deltas = [...Array<number>(17).fill(16.7), 16.6, 33.4, 50];
    expect(frameStats(deltas)).toEqual({ frames: 20, over: 2, overPercent: 10, p95: 50, max: 50 });
  });

  it("refuses to summarise no frames", () => {
    expect(() => frameStats([])).toThrow(/no frames/);
  });
});
