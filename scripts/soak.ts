/**
 * `npm run soak [-- --mutant]`: the long property tests, with their result written to a file.
 * - default: the convergence property (SOAK_RUNS cases, 2,000 unless set) and the hostile-input
 *   properties (5 × SOAK_RUNS cases each), in workerd; writes bench/results/soak.{json,md}.
 * - `--mutant`: the convergence property alone against a deliberately broken compaction (arrival
 *   order, testing/workerd/brokenCompaction.ts); it must fail. Writes bench/results/soak-mutant.*.
 * The seed is FC_SEED if set, else a fresh one, and is recorded: replay with FC_SEED=<seed>.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { ROOT, wranglerEnv } from "./lib/localServer.ts";
import { summarise, toMarkdown, type SoakReport } from "./lib/soakSummary.ts";

const mutant = process.argv.includes("--mutant");
const runs = Number(process.env.SOAK_RUNS ?? 2_000);
const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : Math.floor(Math.random() * 2 ** 31);
const files = mutant ? ["worker/convergence.property.test.ts"] : ["worker/convergence.property.test.ts", "worker/hostile.property.test.ts"];
const reportPath = join(ROOT, ".tmp", "soak-report.json");
rmSync(reportPath, { force: true });

const started = Date.now();
const vitest = spawnSync(
  process.execPath,
  [join(ROOT, "node_modules/vitest/vitest.mjs"), "run", "--project", "worker", ...files, "--reporter=default", "--reporter=json", `--outputFile.json=${reportPath}`],
  { cwd: ROOT, stdio: "inherit", env: { ...wranglerEnv(), SOAK_RUNS: String(runs), FC_SEED: String(seed), SOAK_MUTANT: mutant ? "1" : "0" } },
);
let report: SoakReport;
try {
  report = JSON.parse(readFileSync(reportPath, "utf8")) as SoakReport;
} catch {
  console.error(`npm run soak: Vitest wrote no report (exit ${vitest.status}); see its output above.`);
  process.exit(1);
}

const command = `SOAK_RUNS=${runs} FC_SEED=${seed} npm run soak${mutant ? " -- --mutant" : ""}`;
const summary = summarise(report, { mode: mutant ? "mutant" : "soak", command, date: new Date().toISOString(), cpus: cpus().length, runs, seed, durationS: (Date.now() - started) / 1000 });
const dir = join(ROOT, "bench", "results");
mkdirSync(dir, { recursive: true });
const name = mutant ? "soak-mutant" : "soak";
writeFileSync(join(dir, `${name}.json`), JSON.stringify(summary, null, 2) + "\n");
writeFileSync(join(dir, `${name}.md`), toMarkdown(summary));
console.log(`\n${toMarkdown(summary)}written: bench/results/${name}.json, bench/results/${name}.md`);
process.exit(summary.ok ? 0 : 1);
