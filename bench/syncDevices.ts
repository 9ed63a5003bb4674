/**
 * Devices suite: the built app in headless Chromium (on-disk profiles), syncing through the real
 * local Worker + Durable Object. Edit → other device latency, first sync of a new device with
 * 10,000 notes, and an offline backlog of 2,000 notes.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { freshProfileDir, launchProfile } from "../e2e/browser.ts";
import { buildApp, ROOT, startLocalServer } from "../scripts/lib/localServer.ts";
import { mintToken } from "../worker/auth.ts";
import type { Metric } from "./report.ts";

/** `BENCH_DEVICES_PORT` moves it when another server holds the port. */
const PORT = Number(process.env.BENCH_DEVICES_PORT ?? 8798);
const EDIT_SAMPLES = 60;
const FIRST_SYNC_NOTES = 10_000;
const BACKLOG_NOTES = 2_000;

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

async function until(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`benchmark: ${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const count = async (page: Page) => Number(((await page.evaluate(() => window.cobrain.sql("SELECT count(*) FROM notes"))) as number[][])[0]![0]);
const syncState = (page: Page) => page.locator(".sync-indicator").getAttribute("data-sync-state");

async function openDevice(url: string, secret: string, user: string, deviceId: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await launchProfile(freshProfileDir());
  const page = context.pages()[0] ?? (await context.newPage());
  const token = await mintToken(secret, { userId: user, deviceId });
  await page.goto(`${url}/#token=${token}`);
  await page.getByRole("dialog").getByRole("button", { name: /^Sign in as / }).click({ timeout: 60_000 });
  await until(async () => (await syncState(page)) === "synced", 60_000, `${deviceId} synced`);
  return { context, page };
}

async function importFile(page: Page, notes: number, prefix: string) {
  const list = Array.from({ length: notes }, (_, i) => ({ title: `${prefix} ${i}`, body: `Body of ${prefix} ${i}. `.repeat(4) }));
  await page.locator('input[type="file"]').setInputFiles({ name: "notes.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(list)) });
  await confirmImport(page);
}

/** Confirms the import preview (the app asks before writing). */
async function confirmImport(page: Page): Promise<void> {
  await page.getByRole("dialog", { name: /^Import / }).getByRole("button", { name: "Import", exact: true }).click({ timeout: 120_000 });
}


/** A writes a title; B's live note list shows it. Clocks are one machine's Date.now(). */
async function editLatency(a: Page, b: Page): Promise<number[]> {
  await a.evaluate(() => window.cobrain.sql("INSERT INTO notes (id, title, pinned, updated_at) VALUES ('latency', 'edit 0', 1, 9e15)"));
  await b.locator(".note-title", { hasText: "edit 0" }).waitFor();
  const samples: number[] = [];
  for (let i = 1; i <= EDIT_SAMPLES + 5; i++) {
    // A string, not a function: tsx would wrap named inner functions in a helper the page lacks.
    const seen = b.evaluate<number>(`new Promise((resolve) => {
      const text = ${JSON.stringify(`edit ${i}`)};
      const observer = new MutationObserver(() => {
        if ([...document.querySelectorAll(".note-title")].some((n) => n.textContent === text)) {
          observer.disconnect();
          resolve(Date.now());
        }
      });
      observer.observe(document.body, { subtree: true, childList: true, characterData: true });
    })`);
    await new Promise((r) => setTimeout(r, 30)); // let the observer install
    const sentAt = await a.evaluate((text) => {
      const t = Date.now();
      void window.cobrain.sql("UPDATE notes SET title = ? WHERE id = 'latency'", [text]);
      return t;
    }, `edit ${i}`);
    const seenAt = await seen;
    if (i > 5) samples.push(seenAt - sentAt);
  }
  return samples.sort((x, y) => x - y);
}

export async function syncDevicesSuite(): Promise<Metric[]> {
  await buildApp();
  const secret = randomBytes(32).toString("hex");
  const server = await startLocalServer({ port: PORT, persistTo: mkdtempSync(join(ROOT, ".tmp", "bench-devices-")), authSecret: secret });
  const contexts: BrowserContext[] = [];
  try {
    const user = `bench-${Date.now()}`;
    const a = await openDevice(server.url, secret, user, "a");
    const b = await openDevice(server.url, secret, user, "b");
    contexts.push(a.context, b.context);
    const edits = await editLatency(a.page, b.page);

    // Offline backlog: A imports while offline, then comes back.
    await a.context.setOffline(true);
    await until(async () => (await syncState(a.page)) === "offline", 30_000, "A offline");
    const before = await count(b.page);
    await importFile(a.page, BACKLOG_NOTES, "backlog");
    await a.page.getByText(`Imported ${BACKLOG_NOTES} notes.`).waitFor({ timeout: 60_000 });
    const backOnline = Date.now();
    await a.context.setOffline(false);
    await until(async () => (await count(b.page)) === before + BACKLOG_NOTES, 120_000, "B received the backlog");
    const backlogMs = Date.now() - backOnline;

    // First sync of a new device: the user now has 10,000+ notes.
    await importFile(a.page, FIRST_SYNC_NOTES - BACKLOG_NOTES, "bulk");
    await a.page.getByText(`Imported ${FIRST_SYNC_NOTES - BACKLOG_NOTES} notes.`).waitFor({ timeout: 60_000 });
    await until(async () => (await syncState(a.page)) === "synced", 120_000, "A pushed the bulk import");
    const total = await count(a.page);
    const c = await launchProfile(freshProfileDir());
    contexts.push(c);
    const page = c.pages()[0] ?? (await c.newPage());
    const token = await mintToken(secret, { userId: user, deviceId: "c" });
    const started = Date.now();
    await page.goto(`${server.url}/#token=${token}`);
    await page.getByRole("dialog").getByRole("button", { name: /^Sign in as / }).click({ timeout: 60_000 });
    await page.locator(".note-title").first().waitFor({ timeout: 60_000 });
    const firstListMs = Date.now() - started;
    await until(async () => (await count(page)) === total, 120_000, "C received every note");
    const allNotesMs = Date.now() - started;

    // No baselines here: nothing else is measured in this run, and an arithmetic one is no measurement.
    const m = (name: string, ours: number, target?: string): Metric => ({ suite: "devices", name, unit: "ms", ours, target });
    return [
      m(`edit on A → shown in B's list, p50 (n=${EDIT_SAMPLES})`, quantile(edits, 0.5), "≤ 50 ms"),
      m(`edit on A → shown in B's list, p95 (n=${EDIT_SAMPLES})`, quantile(edits, 0.95), "≤ 150 ms"),
      m(`new device, ${total} notes: sign-in link → first notes listed`, firstListMs, "≤ 5000 ms to a usable list"),
      m(`new device, ${total} notes: sign-in link → all notes stored`, allNotesMs),
      m(`${BACKLOG_NOTES}-note offline backlog: back online → on the other device`, backlogMs),
    ];
  } finally {
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
    await server.stop();
  }
}
