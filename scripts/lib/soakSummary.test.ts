import { describe, expect, it } from "vitest";
import { summarise, toMarkdown, type SoakReport } from "./soakSummary";

const base = { command: "npm run soak", date: "2026-01-01T00:00:00.000Z", cpus: 2, runs: 20, seed: 7, durationS: 12 };
const test = (title: string, status: string, soak: Record<string, unknown>, failureMessages: string[] = []) => ({ title, status, failureMessages, meta: { soak } });

describe("soak summary", () => {
  it("reads the counts the property tests report and passes only when all converged", () => {
    const report: SoakReport = {
      success: true,
      testResults: [
        { name: "convergence", assertionResults: [test("converges", "passed", { property: "convergence", cases: 20, converged: 20 })] },
        {
          name: "hostile",
          assertionResults: [
            test("frames", "passed", { property: "hostile frames", connections: 102, logUnchanged: true }),
            test("handshakes", "passed", { property: "hostile handshakes", handshakes: 100 }),
          ],
        },
      ],
    };
    const summary = summarise(report, { ...base, mode: "soak" });
    expect(summary).toMatchObject({ ok: true, convergence: { cases: 20, converged: 20 }, hostile: { connections: 102, logUnchanged: true, handshakes: 100 }, failures: [] });
    expect(toMarkdown(summary)).toMatch(/20 cases run, 20 converged/);
  });

  it("in mutant mode, passes only when fast-check reports the property failing, and records where", () => {
    const caught: SoakReport = {
      success: false,
      testResults: [{ name: "convergence", assertionResults: [test("converges", "failed", { property: "convergence", cases: 3, converged: 2 }, ["Error: Property failed after 3 tests\n{ seed: 7 }"])] }],
    };
    expect(summarise(caught, { ...base, mode: "mutant" })).toMatchObject({ ok: true, convergence: { failedAtCase: 3 } });
    const timedOut: SoakReport = {
      success: false,
      testResults: [{ name: "convergence", assertionResults: [test("converges", "failed", { property: "convergence", cases: 3, converged: 2 }, ["Error: Test timed out"])] }],
    };
    expect(summarise(timedOut, { ...base, mode: "mutant" }).ok).toBe(false);
  });
});
