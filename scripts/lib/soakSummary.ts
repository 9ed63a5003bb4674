/**
 * Turns Vitest's JSON report of the property tests into the soak result `npm run soak` writes.
 * Pure, so its reading of the report is unit-tested without running the soak.
 */

export interface SoakReport {
  success: boolean;
  testResults: Array<{ name: string; assertionResults: Array<{ title: string; status: string; duration?: number; failureMessages: string[]; meta?: { soak?: Record<string, unknown> } }> }>;
}

export interface SoakSummary {
  mode: "soak" | "mutant";
  command: string;
  date: string;
  cpus: number;
  runs: number;
  seed: number;
  durationS: number;
  /** Soak: every property passed. Mutant: the broken compaction was caught. */
  ok: boolean;
  convergence?: { cases: number; converged: number; failedAtCase?: number };
  hostile?: { connections: number; logUnchanged: boolean; handshakes: number };
  failures: string[];
}

const num = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);

export function summarise(report: SoakReport, base: Omit<SoakSummary, "ok" | "convergence" | "hostile" | "failures">): SoakSummary {
  const tests = report.testResults.flatMap((f) => f.assertionResults);
  const meta = (property: string) => tests.find((t) => t.meta?.soak?.property === property)?.meta?.soak;
  const failures = tests.filter((t) => t.status === "failed").map((t) => `${t.title}: ${(t.failureMessages[0] ?? "").split("\n")[0]}`);
  const conv = meta("convergence");
  const frames = meta("hostile frames");
  const shakes = meta("hostile handshakes");
  // fast-check's own words: "Property failed after N tests" (endOnFailure: no shrinking runs).
  const failedAt = failures.map((f) => /Property failed after (\d+) tests/.exec(f)?.[1]).find(Boolean);
  const convergence = conv && { cases: num(conv.cases) ?? 0, converged: num(conv.converged) ?? 0, ...(failedAt ? { failedAtCase: Number(failedAt) } : {}) };
  const hostile = frames || shakes ? { connections: num(frames?.connections) ?? 0, logUnchanged: frames?.logUnchanged === true, handshakes: num(shakes?.handshakes) ?? 0 } : undefined;
  const ok =
    base.mode === "mutant"
      ? convergence?.failedAtCase !== undefined
      : report.success && failures.length === 0 && convergence?.converged === base.runs && (hostile?.logUnchanged ?? false);
  return { ...base, ok, convergence, hostile, failures };
}

export function toMarkdown(s: SoakSummary): string {
  const lines = [`# CoBrain ${s.mode === "mutant" ? "soak against a broken compaction" : "soak"}`, ``, `\`${s.command}\` on ${s.date}, ${s.cpus} cores, ${s.durationS.toFixed(0)} s.`, ``];
  const c = s.convergence;
  if (s.mode === "mutant") {
    lines.push(
      c?.failedAtCase !== undefined
        ? `- Convergence property with compaction in arrival order: **failed at case ${c.failedAtCase}** (seed ${s.seed}), as it should.`
        : `- Convergence property with compaction in arrival order: **not caught** in ${c?.cases ?? 0} cases (seed ${s.seed}).`,
    );
  } else {
    if (c) lines.push(`- Convergence property (seed ${s.seed}): **${c.cases} cases run, ${c.converged} converged**.`);
    if (s.hostile) {
      lines.push(`- Hostile frames: **${s.hostile.connections} connections tried**, log ${s.hostile.logUnchanged ? "unchanged" : "CHANGED"}.`);
      lines.push(`- Hostile handshakes: **${s.hostile.handshakes} tried**, each refused before the upgrade.`);
    }
  }
  for (const f of s.failures) lines.push(`- Failed: ${f}`);
  lines.push(``, s.ok ? `Result: pass.` : `Result: FAIL.`, ``);
  return lines.join("\n");
}
