import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Coalescer } from "./coalesce";

describe("Coalescer", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("pushes the first change of a burst at once", () => {
    const run = vi.fn();
    new Coalescer(run, 25).notify();
    expect(run).toHaveBeenCalledTimes(1);
  });

  it("pushes what follows within the window once, when the window closes", () => {
    const run = vi.fn();
    const c = new Coalescer(run, 25);
    c.notify();
    c.notify();
    c.notify();
    expect(run).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(25);
    expect(run).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(100);
    expect(run).toHaveBeenCalledTimes(2); // nothing more was pending
  });

  it("a burst that goes on is pushed once per window", () => {
    const run = vi.fn();
    const c = new Coalescer(run, 25);
    for (let t = 0; t < 100; t += 5) {
      c.notify();
      vi.advanceTimersByTime(5);
    }
    vi.advanceTimersByTime(25);
    expect(run.mock.calls.length).toBeGreaterThanOrEqual(4);
    expect(run.mock.calls.length).toBeLessThanOrEqual(5);
  });

  it("after a quiet window the next change goes at once again", () => {
    const run = vi.fn();
    const c = new Coalescer(run, 25);
    c.notify();
    vi.advanceTimersByTime(30);
    c.notify();
    expect(run).toHaveBeenCalledTimes(2);
  });

  it("cancel drops what is pending", () => {
    const run = vi.fn();
    const c = new Coalescer(run, 25);
    c.notify();
    c.notify();
    c.cancel();
    vi.advanceTimersByTime(50);
    expect(run).toHaveBeenCalledTimes(1);
  });
});
