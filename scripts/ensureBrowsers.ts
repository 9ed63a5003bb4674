/**
 * Runs before `npm test` (the `pretest` script): makes sure the browsers the end-to-end tests
 * drive are installed. As root on Debian it installs what is missing with apt-get; otherwise it
 * stops before any test runs, printing the one command to run, and exits 1.
 * COBRAIN_NO_INSTALL=1 checks without installing. For testing this script only,
 * ENSURE_BROWSERS_PRETEND_MISSING=1 makes the first check find every browser missing.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { browserPath, plan, REQUIRED_BROWSERS, type Plan, type Situation } from "./lib/browsers.ts";

function situation(pretendMissing = false): Situation {
  const missing = REQUIRED_BROWSERS.filter((b) => pretendMissing || !existsSync(browserPath(b)));
  return {
    missing,
    overridden: missing.filter((b) => !!process.env[b.pathVariable]),
    isRoot: process.getuid?.() === 0,
    hasApt: existsSync("/etc/debian_version") && spawnSync("apt-get", ["--version"], { stdio: "ignore" }).status === 0,
    noInstall: process.env.COBRAIN_NO_INSTALL === "1",
  };
}

function stop(reason: string, command: string): never {
  console.error(`\nnpm test: ${reason}. The browser tests need it; run:\n\n  ${command}\n\nthen npm test again.\n`);
  process.exit(1);
}

/** Runs apt-get quietly; on failure shows only the tail of its output. */
function install(step: Extract<Plan, { kind: "install" }>): boolean {
  console.log(`npm test: installing ${step.packages.join(", ")} for the browser tests (apt-get, as root)…`);
  for (const [command, ...args] of step.commands) {
    const run = spawnSync(command!, args, { encoding: "utf8", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    if (run.status !== 0) {
      const output = `${run.stdout ?? ""}${run.stderr ?? ""}${run.error?.message ?? ""}`.trim().split("\n").slice(-5).join("\n");
      console.error(`npm test: \`${command} ${args.join(" ")}\` failed:\n${output}`);
      return false;
    }
  }
  return true;
}

const first = plan(situation(process.env.ENSURE_BROWSERS_PRETEND_MISSING === "1"));
if (first.kind === "stop") stop(first.reason, first.command);
if (first.kind === "install") {
  const installed = install(first);
  const after = situation();
  if (!installed || after.missing.length > 0) {
    const names = (after.missing.length ? after.missing : first.packages.map((p) => ({ name: p }))).map((b) => b.name).join(", ");
    stop(`${names} could not be installed`, `apt-get update && apt-get install -y ${first.packages.join(" ")}`);
  }
  console.log("npm test: browsers installed.");
}
