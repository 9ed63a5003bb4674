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
}

const fmt = (n: number | undefined) => (n === undefined ? "" : n >= 100 ? n.toFixed(0) : n.toFixed(2));

export function writeReport(metrics: Metric[], extra: Record<string, unknown> = {}): { json: string; markdown: string } {
  const dir = fileURLToPath(new URL("./results/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, date: new Date().toISOString() };
  const json = `${dir}latest.json`;
  writeFileSync(json, JSON.stringify({ machine, ...extra, metrics }, null, 2) + "\n");
  const lines = [
    `# CoBrain benchmarks`,
    ``,
    `${machine.date}, ${machine.cpus} cores (${machine.cpu}), Node ${machine.node}. Ratio = baseline / ours (above 1: ours is faster).`,
    ``,
    `| suite | metric | ours | baseline | ratio | target |`,
    `|---|---|---:|---:|---:|---|`,
    ...metrics.map((m) => {
      const ratio = m.baseline !== undefined && m.ours > 0 ? `${(m.baseline / m.ours).toFixed(1)}×` : "";
      const baseline = m.baseline !== undefined ? `${fmt(m.baseline)} ${m.unit} (${m.baselineName})` : "";
      return `| ${m.suite} | ${m.name} | ${fmt(m.ours)} ${m.unit} | ${baseline} | ${ratio} | ${m.target ?? ""} |`;
    }),
    ``,
  ];
  const markdown = `${dir}latest.md`;
  writeFileSync(markdown, lines.join("\n"));
  return { json, markdown };
}
