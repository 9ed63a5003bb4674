/**
 * Scale suite (`npm run bench -- scale`): 100,000 notes (about 700,000 cells) in the built app,
 * headless Chromium with on-disk profiles, through the real local Worker + Durable Object:
 * import, upload, a new device's first sync, cold start offline, search, an edit painted in the
 * device's own list (what a keystroke's save costs at this size), memory of the page and of its
 * renderer process (page + database worker), and bytes on disk on the device and in the DO.
 * Every wait is bounded; a stuck step ends the suite with the figures measured before it.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { freshProfileDir, launchProfile } from "../e2e/browser.ts";
import { buildApp, ROOT, startLocalServer } from "../scripts/lib/localServer.ts";
import { mintToken } from "../worker/auth.ts";
import { quantile, sortedCopy, summarise, until, withTimeout, type Summary } from "./measure.ts";
import { failedMetric, fromSummaries, type Metric } from "./report.ts";
import { milestoneAt, watchMilestones } from "./milestones.ts";
import { accountCopyCovers, copySteps, count, importFile, logStats, openDevice, serverCall, signIn } from "./syncDevices.ts";

/** `BENCH_SCALE_PORT` moves it when another server holds the port. */
const PORT = Number(process.env.BENCH_SCALE_PORT ?? 8794);
const NOTES = Number(process.env.BENCH_SCALE_NOTES ?? 100_000);
/** The app imports a file at a time; 10,000 notes a file keeps each preview quick. */
const PER_FILE = 10_000;
const COLD_STARTS = 3;
const SEARCHES = 40;
const EDITS = 20;
const WORDS = ["kyoto", "budget", "meeting", "garden", "recipe", "python", "travel", "invoice", "birthday", "novel"];
const BULK_MS = 600_000;
/** Bound of making, sealing and storing the copy of a 100,000-note database (8 s here). */
const COPY_MS = 180_000;
const STEP_MS = 60_000;

const FIRST_LIST_PAINT = `new Promise((resolve) => {
  const check = () => (document.querySelector(".note-title") ? resolve(performance.now()) : requestAnimationFrame(check));
  check();
})`;

const syncState = (page: Page) => page.locator(".sync-indicator").getAttribute("data-sync-state", { timeout: STEP_MS });

function duBytes(dir: string): number {
  return Number(execFileSync("du", ["-sb", dir], { encoding: "utf8" }).split(/\s+/)[0]);
}

/** Resident memory of the renderer processes of the Chromium started on `profile` (page + its workers). */
function rendererRssBytes(profile: string): number {
  const lines = execFileSync("ps", ["-eo", "pid=,rss=,args="], { encoding: "utf8" }).split("\n");
  return lines
    .filter((l) => l.includes(`--user-data-dir=${profile}`) || (l.includes("--type=renderer") && l.includes(profile)))
    .filter((l) => l.includes("--type=renderer"))
    .reduce((sum, l) => sum + Number(l.trim().split(/\s+/)[1]) * 1024, 0);
}

/** How often the copy's steps sample a renderer's resident memory. */
const RSS_SAMPLE_MS = 200;

/** Samples the renderer memory of the Chromium on `profile` until stopped; keeps the largest. */
function sampleRssPeak(profile: string): { stop: () => void; peak: () => number } {
  let peak = rendererRssBytes(profile);
  const timer = setInterval(() => (peak = Math.max(peak, rendererRssBytes(profile))), RSS_SAMPLE_MS);
  return { stop: () => clearInterval(timer), peak: () => peak };
}

export async function scaleSuite(): Promise<Metric[]> {
  await buildApp();
  const secret = randomBytes(32).toString("hex");
  const state = mkdtempSync(join(ROOT, ".tmp", "bench-scale-"));
  const server = await startLocalServer({ port: PORT, persistTo: state, authSecret: secret });
  const contexts: BrowserContext[] = [];
  const suite = "scale";
  const out: Metric[] = [];
  const one = (x: number): Summary => summarise([x]);
  const m = (name: string, ours: Summary, unit = "ms", target?: string) => fromSummaries({ suite, name, unit, target }, ours);
  let step = "open A";
  try {
    const user = `scale-${Date.now()}`;
    const a = await openDevice(server.url, secret, user, "a");
    contexts.push(a.context);

    step = "import";
    const imports: number[] = [];
    for (let done = 0; done < NOTES; done += PER_FILE) imports.push(await importFile(a.page, Math.min(PER_FILE, NOTES - done), `scale ${WORDS[(done / PER_FILE) % WORDS.length]} ${done}`));
    const importedAt = Date.now();
    out.push(
      m(`import ${NOTES} notes (${imports.length} files of ${PER_FILE}), total`, one(imports.reduce((x, y) => x + y, 0))),
      m(`import of one ${PER_FILE}-note file into a growing database (${imports.length} files)`, summarise(imports)),
    );
    step = "upload";
    await until(async () => (await syncState(a.page)) === "synced", BULK_MS, "A pushed every note", 200);
    out.push(m(`upload of ${NOTES} notes: last import done → server has all`, one(Date.now() - importedAt)));
    const total = await count(a.page);

    step = "the account's copy";
    // A makes the account's copy once its upload is acknowledged (web/src/sync/accountCopy.ts);
    // its renderer's memory is sampled meanwhile, since the copy is made in memory.
    const head = (await logStats(server.url, secret, user)).head;
    const rssBefore = rendererRssBytes(a.profile);
    const makingPeak = sampleRssPeak(a.profile);
    const syncedAt = Date.now();
    await accountCopyCovers(server.url, secret, user, head, [a.page], COPY_MS).finally(() => makingPeak.stop());
    out.push(
      m(`A: synced → the account's copy stored, covering ${total} notes (made, sealed, uploaded; looked for every 100 ms)`, one(Date.now() - syncedAt)),
      m(`the account's copy sealed (${total} notes, gzipped, then sealed)`, one((await serverCall(server.url, secret, user, "/api/snapshot")).byteLength / 2 ** 20), "MiB"),
      m(`A's database file (page count × page size), ${total} notes`, one(Number(((await a.page.evaluate(() => window.cobrain.sql("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"))) as number[][])[0]![0]) / 2 ** 20), "MiB"),
      m(`A: renderer process resident memory before making the copy`, one(rssBefore / 2 ** 20), "MiB"),
      m(`A: renderer process resident memory, peak while making the copy (sampled every ${RSS_SAMPLE_MS} ms)`, one(makingPeak.peak() / 2 ** 20), "MiB"),
    );

    step = "new device from the account's copy";
    {
      const copyProfile = freshProfileDir();
      const cc = await launchProfile(copyProfile);
      contexts.push(cc);
      const p = cc.pages()[0] ?? (await cc.newPage());
      await watchMilestones(p);
      const receivingPeak = sampleRssPeak(copyProfile);
      const token = await mintToken(secret, { userId: user, deviceId: "c-copy" });
      const started = Date.now();
      // Signed in as `signIn` does, with the database worker's timeline on from the app's start.
      await p.goto(`${server.url}/#token=${token}`, { timeout: STEP_MS });
      const appReadyAt = await milestoneAt(p, "app ready", STEP_MS);
      await p.evaluate(() => window.cobrain.client.trace(true));
      await p.evaluate((k) => window.cobrain.client.adoptAccountKey(k!), a.key);
      await p.getByRole("dialog").getByRole("button", { name: /^Sign in as / }).click({ timeout: STEP_MS });
      const signInAt = Date.now();
      const firstAt = await milestoneAt(p, "first note", BULK_MS);
      await until(async () => (await count(p)) === total, BULK_MS, `the device from the copy has every note (${total})`, 100).finally(() => receivingPeak.stop());
      const allMs = Date.now() - started;
      const marks = await p.evaluate(() => window.cobrain.client.trace(false));
      // A copy that could not be used falls back to change by change: that is not this figure.
      const refused = (await p.evaluate(() => window.cobrain.sql("SELECT detail FROM sync_activity WHERE kind = 'error' AND detail LIKE '%copy%'"))) as string[][];
      if (refused.length > 0) throw new Error(`the new device did not start from the copy: ${refused.join("; ")}`);
      out.push(
        m(`new device from the account's copy, ${total} notes: sign-in link → first notes painted`, one(firstAt - started)),
        m(`new device from the account's copy, ${total} notes: sign-in link → all notes stored`, one(allMs)),
        fromSummaries(
          { suite, name: `new device from the account's copy, ${total} notes: sign-in confirmed → all notes stored`, unit: "ms", baselineName: `local import of ${NOTES} notes on A (its ${imports.length} imports, in all)` },
          one(allMs - (signInAt - started)),
          one(imports.reduce((x, y) => x + y, 0)),
        ),
        // Without changes written after the copy (none here), the steps of their frame did not happen.
        ...copySteps(marks, started, appReadyAt, signInAt, firstAt)
          .filter(([step, ms]) => Number.isFinite(ms) || !/made after the copy|that frame/.test(step))
          .map(([step, ms]) => m(`new device from the account's copy, its steps: ${step}`, one(ms))),
        m(`new device from the account's copy: renderer process resident memory, peak until every note was stored`, one(receivingPeak.peak() / 2 ** 20), "MiB"),
      );
      await contexts.pop()!.close();
    }
    // The new device below receives the log change by change, as a larger account's would.
    await serverCall(server.url, secret, user, "/api/snapshot", "DELETE");

    step = "new device";
    const profile = freshProfileDir();
    let c = await launchProfile(profile);
    contexts.push(c);
    let page = c.pages()[0] ?? (await c.newPage());
    const token = await mintToken(secret, { userId: user, deviceId: "c" });
    await watchMilestones(page);
    const started = Date.now();
    await signIn(page, server.url, token, a.key);
    out.push(m(`new device, ${total} notes: sign-in link → first notes painted`, one((await milestoneAt(page, "first note", BULK_MS)) - started)));
    await until(async () => (await count(page)) === total, BULK_MS, `C received every note (${total})`, 500);
    out.push(m(`new device, ${total} notes: sign-in link → all notes stored`, one(Date.now() - started)));
    await until(async () => (await syncState(page)) === "synced", BULK_MS, "C synced");
    // C then makes the account's copy (the server has none now); the figures below are of a
    // device at rest, so they wait for it.
    await accountCopyCovers(server.url, secret, user, head, [page], COPY_MS);

    step = "memory and disk";
    const cdp = await c.newCDPSession(page);
    await cdp.send("HeapProfiler.collectGarbage");
    const heap = (await cdp.send("Runtime.getHeapUsage")) as { usedSize: number };
    out.push(
      m(`page JS heap after the first sync (${total} notes)`, one(heap.usedSize / 2 ** 20), "MiB"),
      m(`renderer process resident memory (page + database worker + WASM), ${total} notes`, one(rendererRssBytes(profile) / 2 ** 20), "MiB"),
      m(`bytes on disk on the device (navigator.storage.estimate), ${total} notes`, one((await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0)) / 2 ** 20), "MiB"),
      m(`bytes on disk of the local Worker's state (Durable Object storage), ${total} notes`, one(duBytes(state) / 2 ** 20), "MiB"),
    );

    step = "search";
    const searches: number[] = [];
    for (let i = 0; i < SEARCHES; i++) {
      const word = WORDS[i % WORDS.length]!.slice(0, 3 + (i % 3));
      searches.push(
        await withTimeout(
          page.evaluate<number>(`(async () => {
            const t = performance.now();
            await window.cobrain.sql("SELECT n.id, highlight(notes_fts, 0, '\\u0002', '\\u0003'), snippet(notes_fts, 1, '\\u0002', '\\u0003', '…', 16) FROM notes_fts JOIN notes AS n ON n.rowid = notes_fts.rowid WHERE notes_fts MATCH ? AND n.trashed_at IS NULL ORDER BY rank LIMIT 50", ['"${word}"*']);
            return performance.now() - t;
          })()`),
          STEP_MS,
          "search",
        ),
      );
    }
    const sorted = sortedCopy(searches);
    const at = (q: number): Summary => ({ median: quantile(sorted, q), min: sorted[0]!, max: sorted.at(-1)!, n: sorted.length });
    out.push(m(`search p50 over ${total} notes (FTS5, ranked, highlighted, n=${SEARCHES})`, at(0.5), "ms", "≤ 20 ms"), m(`search p95 over ${total} notes`, at(0.95)));

    step = "edit → own list";
    // What saving a keystroke costs at this size: the write and the list's re-run and repaint.
    const edits: number[] = [];
    for (let i = 0; i < EDITS; i++) {
      edits.push(
        await withTimeout(
          // The note is found first: the benchmark's own lookup is not the save's cost.
          page.evaluate<number>(`window.cobrain.sql("SELECT id FROM notes WHERE trashed_at IS NULL AND archived = 0 ORDER BY pinned DESC, updated_at DESC LIMIT 1").then(([[id]]) => new Promise((resolve) => {
            const text = "scale edit ${i}";
            const t = performance.now();
            const observer = new MutationObserver(() => {
              if ([...document.querySelectorAll(".note-title")].some((n) => n.textContent === text)) { observer.disconnect(); resolve(performance.now() - t); }
            });
            observer.observe(document.body, { subtree: true, childList: true, characterData: true });
            void window.cobrain.sql("UPDATE notes SET title = ?, updated_at = ? WHERE id = ?", [text, Date.now(), id]);
          }))`),
          STEP_MS,
          `edit ${i} painted`,
        ),
      );
    }
    out.push(m(`edit → painted in the device's own list, ${total} notes (n=${EDITS})`, summarise(edits)));

    step = "cold start offline";
    await withTimeout(page.evaluate("navigator.serviceWorker.ready"), STEP_MS, "service worker ready");
    await c.close();
    const starts: number[] = [];
    for (let i = 0; i < COLD_STARTS; i++) {
      c = await launchProfile(profile);
      contexts.push(c);
      await c.setOffline(true);
      page = c.pages()[0] ?? (await c.newPage());
      await page.goto(server.url, { waitUntil: "commit", timeout: STEP_MS });
      starts.push(await withTimeout(page.evaluate<number>(FIRST_LIST_PAINT), STEP_MS, "cold start offline paints a list"));
      await c.close();
    }
    out.push(m(`cold start offline → first painted note list, ${total} notes (${COLD_STARTS} starts)`, summarise(starts), "ms", "≤ 1500 ms"));
  } catch (error) {
    out.push(failedMetric(suite, `(stopped at: ${step})`, error));
  } finally {
    await Promise.all(contexts.map((x) => x.close().catch(() => undefined)));
    await server.stop();
  }
  return out;
}
