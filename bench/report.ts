/** Writes the benchmark results as JSON and as a Markdown table (bench/results/latest.*). */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";

export interface Metric {
  suite: string;
  name: string;
  unit: string;
  ours: number;
  /** What a user would pick instead, measured in the same run. */
  baseline?: number;
  baselineName?: string;
  target?: string;
  /** Rates: a larger number is better (latencies and sizes: smaller is better). */
  higherIsBetter?: boolean;
}

const fmt = (n: number | undefined) => (n === undefined ? "" : n >= 100 ? n.toFixed(0) : n.toFixed(2));

const RESULTS_DIR = fileURLToPath(new URL("./results/", import.meta.url));
export const REPORT_JSON = `${RESULTS_DIR}latest.json`;

export function writeReport(metrics: Metric[], extra: Record<string, unknown> = {}): { json: string; markdown: string } {
  const dir = RESULTS_DIR;
  mkdirSync(dir, { recursive: true });
  const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, date: new Date().toISOString() };
  const json = REPORT_JSON;
  writeFileSync(json, JSON.stringify({ machine, ...extra, metrics }, null, 2) + "\n");
  const lines = [
    `# CoBrain benchmarks`,
    ``,
    `${machine.date}, ${machine.cpus} cores (${machine.cpu}), Node ${machine.node}. Ratio = how many times better ours is than the baseline (above 1: ours wins).`,
    ``,
    `| suite | metric | ours | baseline | ratio | target |`,
    `|---|---|---:|---:|---:|---|`,
    ...metrics.map((m) => {
      const factor = m.baseline === undefined || m.ours <= 0 ? undefined : m.higherIsBetter ? m.ours / m.baseline : m.baseline / m.ours;
      const ratio = factor === undefined ? "" : `${factor.toFixed(1)}×`;
      const baseline = m.baseline !== undefined ? `${fmt(m.baseline)} ${m.unit} (${m.baselineName})` : "";
      return `| ${m.suite} | ${m.name} | ${fmt(m.ours)} ${m.unit} | ${baseline} | ${ratio} | ${m.target ?? ""} |`;
    }),
    ``,
  ];
  const markdown = `${dir}latest.md`;
  writeFileSync(markdown, lines.join("\n"));
  return { json, markdown };
}
