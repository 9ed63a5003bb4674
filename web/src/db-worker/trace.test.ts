import { afterEach, describe, expect, it } from "vitest";
import { takeTrace, traceMark } from "./trace";

describe("the sync path's timeline", () => {
  afterEach(() => void takeTrace(false));

  it("records nothing until a trace starts", () => {
    traceMark("changes sent");
    expect(takeTrace(true)).toEqual([]);
  });

  it("records marks in order, in wall-clock ms, until taken; taking with off stops it", () => {
    takeTrace(true);
    const before = Date.now();
    traceMark("write committed");
    traceMark("changes sent");
    const marks = takeTrace(false);
    expect(marks.map(([label]) => label)).toEqual(["write committed", "changes sent"]);
    expect(marks[0]![1]).toBeGreaterThanOrEqual(before - 1);
    expect(marks[1]![1]).toBeGreaterThanOrEqual(marks[0]![1]);
    traceMark("changes applied");
    expect(takeTrace(false)).toEqual([]);
  });

  it("stays bounded however long it is left on", () => {
    takeTrace(true);
    for (let i = 0; i < 20_000; i++) traceMark("changes received");
    expect(takeTrace(false).length).toBe(10_000);
  });
});
