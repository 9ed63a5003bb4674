/**
 * Prints the totals over every suite as the last line CI reads: `N passed, N failed`.
 * Reads Vitest's JSON report; a missing report (type check failed, Vitest crashed) is one failure.
 * Usage: node scripts/test-totals.ts REPORT.json TEST_EXIT_CODE
 */
import { existsSync, readFileSync } from "node:fs";

interface Report {
  numPassedTests: number;
  numFailedTests: number;
  testResults: Array<{ status: string; assertionResults: Array<{ status: string }> }>;
}

const [reportPath = ".tmp/test-results.json", exitCode = "0"] = process.argv.slice(2);
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
console.log(`${passed} passed, ${failed} failed`);
