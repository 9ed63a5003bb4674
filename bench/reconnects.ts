/**
 * Reconnects suite: how many times a refused device tries again, counted by the real Durable
 * Object. The app in headless Chromium signs in to an account whose open sync connections are
 * already at the cap, so the local Worker refuses every attempt (4429); see
 * e2e/refusedReconnects.ts. The figure must stay at or under MAX_RECONNECTS_PER_MINUTE.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { launchBrowser } from "../e2e/browser.ts";
import { watchRefusedReconnects } from "../e2e/refusedReconnects.ts";
import { MAX_RECONNECTS_PER_MINUTE } from "../shared/constants.ts";
import { buildApp, ROOT, startLocalServer } from "../scripts/lib/localServer.ts";
import type { Metric } from "./report.ts";

/** `BENCH_RECONNECTS_PORT` moves it when another server holds the port. */
const PORT = Number(process.env.BENCH_RECONNECTS_PORT ?? 8796);
/** Watched for a little over a minute, so one whole counting minute of the server is seen. */
const WATCH_MS = 65_000;

export async function reconnectsSuite(): Promise<Metric[]> {
  await buildApp();
  const secret = randomBytes(32).toString("hex");
  const server = await startLocalServer({ port: PORT, persistTo: mkdtempSync(join(ROOT, ".tmp", "bench-reconnects-")), authSecret: secret });
  const browser = await launchBrowser();
  try {
    const page = await (await browser.newContext()).newPage();
    const seen = await watchRefusedReconnects(page, server.url, secret, WATCH_MS);
    return [
      {
        suite: "reconnects",
        name: "reconnect attempts in the worst minute under a permanent refusal (counted at the server)",
        unit: "attempts",
        ours: seen.worstMinute,
        target: `≤ ${MAX_RECONNECTS_PER_MINUTE}`,
      },
      { suite: "reconnects", name: `reconnect attempts in ${WATCH_MS / 1000} s under a permanent refusal`, unit: "attempts", ours: seen.total },
    ];
  } finally {
    await browser.close();
    await server.stop();
  }
}
