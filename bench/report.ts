/** Writes the benchmark results as JSON and as a Markdown table (bench/results/latest.*). */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { arch, cpus, release, totalmem, type as osType } from "node:os";
import { fileURLToPath } from "node:url";
import { CHROMIUM_PATH } from "../e2e/browser.ts";
import type { Summary } from "./measure.ts";

export interface Metric {
  suite: string;
  name: string;
  unit: string;
  /** The median of the repetitions (or the one figure a single measurement gives). */
  ours: number;
  /** Spread of the repetitions behind `ours` (for a percentile: of the samples). */
  min?: number;
  max?: number;
  /** Repetitions (or samples) behind `ours`. */
  n?: number;
  /** What a user would pick instead, measured in the same run; never arithmetic. */
  baseline?: number;
  baselineMin?: number;
  baselineMax?: number;
  baselineName?: string;
  target?: string;
  /** Rates: a larger number is better (latencies and sizes: smaller is better). */
  higherIsBetter?: boolean;
  /** The step did not produce a figure: why (a timeout, an error). `ours` is then NaN. */
  failed?: string;
}

/** A metric from repetitions (and the baseline's, measured in the same run). */
export function fromSummaries(
  base: Omit<Metric, "ours" | "min" | "max" | "n" | "baseline" | "baselineMin" | "baselineMax">,
  ours: Summary,
  baseline?: Summary,
): Metric {
  return {
    ...base,
    ours: ours.median,
    min: ours.min,
    max: ours.max,
    n: ours.n,
    ...(baseline ? { baseline: baseline.median, baselineMin: baseline.min, baselineMax: baseline.max } : {}),
  };
}

/** A metric whose step failed: recorded with its reason, so the report shows it instead of a gap. */
export function failedMetric(suite: string, name: string, error: unknown): Metric {
  return { suite, name, unit: "", ours: Number.NaN, failed: error instanceof Error ? error.message : String(error) };
}

// A figure that is NaN (a step that did not happen) reads back from the last run's JSON as null.
const fmt = (n: number | null | undefined) => (n === undefined || n === null || Number.isNaN(n) ? "" : Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2));
const spread = (min?: number, max?: number) => (min === undefined || max === undefined || min === max ? "" : ` (${fmt(min)}–${fmt(max)})`);

const RESULTS_DIR = fileURLToPath(new URL("./results/", import.meta.url));
export const REPORT_JSON = `${RESULTS_DIR}latest.json`;

/** Ours against the baseline: above 1, ours wins. */
export function factorOf(m: Metric): number | undefined {
  if (m.baseline === undefined || !(m.ours > 0) || m.failed) return undefined;
  return m.higherIsBetter ? m.ours / m.baseline : m.baseline / m.ours;
}

function quietly(fn: () => string): string {
  try {
    return fn().trim();
  } catch {
    return "unknown";
  }
}

/** The machine the figures come from: they mean little without it. */
export function machineInfo() {
  const osRelease = existsSync("/etc/os-release") ? /PRETTY_NAME="?([^"\n]+)/.exec(readFileSync("/etc/os-release", "utf8"))?.[1] : undefined;
  const cpuModel = quietly(() => /Model name:\s*(.+)/.exec(execFileSync("lscpu", { encoding: "utf8" }))?.[1] ?? cpus()[0]?.model ?? "");
  return {
    date: new Date().toISOString(),
    cpu: cpuModel,
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${osRelease ?? osType()} (${osType()} ${release()}, ${arch()})`,
    node: process.version,
    browser: quietly(() => execFileSync(CHROMIUM_PATH, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })),
    /** Other processes share the machine: the 1-minute load average at the end of the run. */
    loadAverage: quietly(() => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")),
  };
}

export function writeReport(metrics: Metric[], extra: Record<string, unknown> = {}): { json: string; markdown: string } {
  const dir = RESULTS_DIR;
  mkdirSync(dir, { recursive: true });
  const machine = machineInfo();
  const json = REPORT_JSON;
  writeFileSync(json, JSON.stringify({ machine, ...extra, metrics }, null, 2) + "\n");
  const lines = [
    `# CoBrain benchmarks`,
    ``,
    `Run ${machine.date} on ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}; Node ${machine.node}; ${machine.browser}; load average at the end ${machine.loadAverage}.`,
    ``,
    `Each figure is the median of its repetitions, with (min–max); for a percentile, the spread of its samples.`,
    `Ratio = how many times better ours is than the baseline measured in the same run (above 1: ours wins).`,
    ``,
    `| suite | metric | ours | baseline | ratio | target |`,
    `|---|---|---:|---:|---:|---|`,
    ...metrics.map((m) => {
      if (m.failed) return `| ${m.suite} | ${m.name} | **failed**: ${m.failed.replaceAll("|", "\\|").replaceAll("\n", " ")} | | | ${m.target ?? ""} |`;
      const factor = factorOf(m);
      const ratio = factor === undefined ? "" : `${factor.toFixed(1)}×`;
      const baseline = m.baseline !== undefined ? `${fmt(m.baseline)}${spread(m.baselineMin, m.baselineMax)} ${m.unit} (${m.baselineName})` : "";
      return `| ${m.suite} | ${m.name} | ${fmt(m.ours)}${spread(m.min, m.max)} ${m.unit} | ${baseline} | ${ratio} | ${m.target ?? ""} |`;
    }),
    ``,
  ];
  const markdown = `${dir}latest.md`;
  writeFileSync(markdown, lines.join("\n"));
  return { json, markdown };
}
