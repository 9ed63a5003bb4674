import { describe, expect, it } from "vitest";
import { changeFactor, compareMetrics } from "./compare.ts";
import type { Metric } from "./report.ts";

const m = (name: string, ours: number, extra: Partial<Metric> = {}): Metric => ({ suite: "s", name, unit: "ms", ours, ...extra });

describe("bench --compare", () => {
  it("gives latencies as before / now and rates as now / before", () => {
    expect(changeFactor(m("a", 40), m("a", 20))).toBe(2);
    expect(changeFactor(m("r", 100, { unit: "changes/s", higherIsBetter: true }), m("r", 50, { unit: "changes/s", higherIsBetter: true }))).toBe(0.5);
  });

  it("says why there is no factor instead of inventing one", () => {
    expect(changeFactor(m("a", 10), m("a", Number.NaN, { failed: "timed out" }))).toBe("failed now");
    expect(changeFactor(m("a", 10, { unit: "s" }), m("a", 10))).toMatch(/unit changed/);
  });

  it("lists new, compared and no longer measured metrics", () => {
    const table = compareMetrics([m("kept", 10), m("fresh", 5)], [m("kept", 30), m("dropped", 1)]);
    expect(table).toContain("| s | kept | 30.00 ms | 10.00 ms | 3.00× better |");
    expect(table).toContain("| s | fresh | (new) | 5.00 ms | |");
    expect(table).toContain("| s | dropped | 1.00 ms | (not measured) | |");
  });

  it("reads a failed metric from a result file (its figure is null in JSON) without falling over", () => {
    const failed = JSON.parse(JSON.stringify(m("stuck", Number.NaN, { failed: "no result within 60000 ms" }))) as Metric;
    const table = compareMetrics([m("kept", 10)], [m("kept", 10), failed]);
    expect(table).toContain("| s | stuck | failed | (not measured) | |");
  });
});
