/**
 * `npm run bench`: runs every benchmark suite once, bounded, and writes bench/results/latest.{json,md}.
 * `npm run bench -- SUITE` runs one suite (local, merge, sync, devices, app, scale, reconnects, encryption);
 * `--compare FILE` then prints each figure against an earlier result JSON; `--compare FILE --no-run`
 * compares the last result without running anything.
 */
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { appSuite } from "./appSuite.ts";
import { encryptionSuite } from "./encryption.ts";
import { compareMetrics, readMetrics } from "./compare.ts";
import { localDbSuite } from "./localDb.ts";
import { withTimeout } from "./measure.ts";
import { mergeSuite } from "./merge.ts";
import { reconnectsSuite } from "./reconnects.ts";
import { scaleSuite } from "./scale.ts";
import { syncDevicesSuite } from "./syncDevices.ts";
import { syncServerSuite } from "./syncServer.ts";
import { failedMetric, REPORT_JSON, writeReport, type Metric } from "./report.ts";
import { wranglerEnv } from "../scripts/lib/localServer.ts";
import { removeProfileDirs } from "../e2e/browser.ts";

/** Each suite's bound: its steps have their own, shorter ones; this catches anything they miss. */
const SUITES: Record<string, { label: string; run: () => Promise<Metric[]>; timeoutMs: number }> = {
  local: { label: "local database", run: localDbSuite, timeoutMs: 10 * 60_000 },
  merge: { label: "merge", run: mergeSuite, timeoutMs: 10 * 60_000 },
  sync: { label: "sync server", run: syncServerSuite, timeoutMs: 10 * 60_000 },
  devices: { label: "devices", run: syncDevicesSuite, timeoutMs: 15 * 60_000 },
  app: { label: "app", run: appSuite, timeoutMs: 15 * 60_000 },
  scale: { label: "scale", run: scaleSuite, timeoutMs: 25 * 60_000 },
  reconnects: { label: "reconnects", run: reconnectsSuite, timeoutMs: 5 * 60_000 },
  encryption: { label: "encryption", run: encryptionSuite, timeoutMs: 15 * 60_000 },
};

const { values, positionals } = parseArgs({ allowPositionals: true, options: { compare: { type: "string" }, "no-run": { type: "boolean" } } });
const only = positionals[0];
if (only && !SUITES[only]) throw new Error(`no suite "${only}"; suites: ${Object.keys(SUITES).join(", ")}`);
const previousRun = values.compare ? readMetrics(values.compare) : undefined;

if (!values["no-run"]) {
  process.env.TMPDIR = wranglerEnv().TMPDIR;
  const metrics: Metric[] = [];
  for (const [name, suite] of Object.entries(SUITES)) {
    if (only ? only !== name : name === "scale" && process.env.BENCH_SCALE === "0") continue;
    const started = Date.now();
    try {
      metrics.push(...(await withTimeout(suite.run(), suite.timeoutMs, `suite ${name}`)));
    } catch (error) {
      // A suite that fails or hangs is reported as failed; the others still run.
      console.error(`suite ${name} failed:`, error);
      metrics.push(failedMetric(suite.label, "(whole suite)", error));
    }
    console.log(`suite ${name}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  // A partial run keeps the other suites' last figures, so the report always covers everything.
  const previous = existsSync(REPORT_JSON) ? readMetrics(REPORT_JSON) : [];
  const ran = new Set(metrics.map((m) => m.suite));
  const { json, markdown } = writeReport([...previous.filter((m) => !ran.has(m.suite)), ...metrics]);
  console.log(readFileSync(markdown, "utf8"));
  console.log(`written: ${json}, ${markdown}`);
}
if (previousRun) {
  console.log(`\nAgainst ${values.compare}:\n`);
  console.log(compareMetrics(readMetrics(REPORT_JSON), previousRun));
}
// Servers and browsers are closed by each suite; a step that timed out may leave a promise pending.
removeProfileDirs();
process.exit(0);
