/**
 * Prints the totals over every suite as the last line CI reads: `N passed, N failed`.
 * Reads Vitest's JSON reports, one per run (`npm test`, `npm run test:long`); a missing report
 * (type check failed, Vitest crashed) is one failure, and so is a failed run whose report shows none.
 * Usage: node scripts/test-totals.ts REPORT.json EXIT_CODE [REPORT.json EXIT_CODE ...]
 */
import { existsSync, readFileSync } from "node:fs";

interface Report {
  numPassedTests: number;
  numFailedTests: number;
  testResults: Array<{ status: string; assertionResults: Array<{ status: string }> }>;
}

/** Passed and failed tests of one run. */
function totalsOf(reportPath: string, exitCode: string): { passed: number; failed: number } {
  let passed = 0;
  let failed = 0;
  if (existsSync(reportPath)) {
    const report = JSON.parse(readFileSync(reportPath, "utf8")) as Report;
    passed = report.numPassedTests;
    // A file that failed to load has no failed assertions of its own; count it once.
    const brokenFiles = report.testResults.filter((r) => r.status === "failed" && !r.assertionResults.some((a) => a.status === "failed")).length;
    failed = report.numFailedTests + brokenFiles;
  }
  if (exitCode !== "0" && failed === 0) failed = 1;
  return { passed, failed };
}

const args = process.argv.slice(2);
if (args.length === 0) args.push(".tmp/test-results.json", "0");
let passed = 0;
let failed = 0;
for (let i = 0; i < args.length; i += 2) {
  const run = totalsOf(args[i]!, args[i + 1] ?? "0");
  passed += run.passed;
  failed += run.failed;
}
console.log(`${passed} passed, ${failed} failed`);
