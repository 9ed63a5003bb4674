/**
 * `npm run bench -- --compare FILE`: this run's figures against an earlier result JSON, metric by
 * metric (matched by suite and name), as the factor by which each got better or worse.
 */
import { readFileSync } from "node:fs";
import type { Metric } from "./report.ts";

export function readMetrics(file: string): Metric[] {
  const parsed = JSON.parse(readFileSync(file, "utf8")) as { metrics?: Metric[] };
  if (!Array.isArray(parsed.metrics)) throw new Error(`${file} is not a benchmark result (no "metrics" list)`);
  return parsed.metrics;
}

const key = (m: Metric) => `${m.suite}\u0000${m.name}`;
// A failed metric's figure reads back from JSON as null.
const fmt = (n: number | null) => (n === null || !Number.isFinite(n) ? "none" : Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2));

/** How many times better `now` is than `before` (above 1: better), or why there is no factor. */
export function changeFactor(before: Metric, now: Metric): number | string {
  if (now.failed) return "failed now";
  if (before.failed || Number.isNaN(before.ours)) return "failed before";
  if (now.unit !== before.unit) return `unit changed (${before.unit} → ${now.unit})`;
  if (!(now.ours > 0) || !(before.ours > 0)) return "no ratio (zero)";
  return now.higherIsBetter ? now.ours / before.ours : before.ours / now.ours;
}

/** A Markdown table: every metric of `now`, with the earlier figure and the factor where one exists. */
export function compareMetrics(now: readonly Metric[], before: readonly Metric[]): string {
  const earlier = new Map(before.map((m) => [key(m), m]));
  const lines = ["| suite | metric | before | now | change |", "|---|---|---:|---:|---|"];
  for (const m of now) {
    const old = earlier.get(key(m));
    const nowText = m.failed ? "failed" : `${fmt(m.ours)} ${m.unit}`;
    if (!old) {
      lines.push(`| ${m.suite} | ${m.name} | (new) | ${nowText} | |`);
      continue;
    }
    const factor = changeFactor(old, m);
    const change = typeof factor === "string" ? factor : `${factor.toFixed(2)}× ${factor >= 1 ? "better" : "worse"}`;
    lines.push(`| ${m.suite} | ${m.name} | ${old.failed ? "failed" : `${fmt(old.ours)} ${old.unit}`} | ${nowText} | ${change} |`);
  }
  const gone = before.filter((m) => !now.some((n) => key(n) === key(m)));
  for (const m of gone) lines.push(`| ${m.suite} | ${m.name} | ${m.failed ? "failed" : `${fmt(m.ours)} ${m.unit}`} | (not measured) | |`);
  return lines.join("\n");
}
