/**
 * App suite: bytes shipped, cold start offline with 10,000 notes (the installed app on a flight),
 * and search latency over 10,000 notes, on the built app served by the real local Worker.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Page } from "playwright-core";
import { freshProfileDir, launchProfile } from "../e2e/browser.ts";
import { buildApp, ROOT, startLocalServer } from "../scripts/lib/localServer.ts";
import { quantile, sortedCopy, summarise, withTimeout, type Summary } from "./measure.ts";
import { failedMetric, fromSummaries, type Metric } from "./report.ts";
import { FRAME_BUDGET_MS } from "./frames.ts";
import { OPENS, phoneList, PHONE } from "./listFrames.ts";

/** `BENCH_APP_PORT` moves it when another server holds the port. */
const PORT = Number(process.env.BENCH_APP_PORT ?? 8799);
const NOTES = 10_000;
const COLD_STARTS = 5;
const SEARCHES = 60;
/**
 * `BENCH_STATIC_LIST=1` also scrolls the same rows as a static list (the baseline of the scroll
 * figures); off by default, as it adds ~75 s to a suite that must end within its bound.
 */
const STATIC_LIST = process.env.BENCH_STATIC_LIST === "1";
const WORDS = ["kyoto", "budget", "meeting", "garden", "recipe", "python", "travel", "invoice", "birthday", "novel"];

const gz = (file: string) => gzipSync(readFileSync(file)).length;
/** A cold start that never paints a list, or a service worker that never gets ready, fails here. */
const PAINT_TIMEOUT_MS = 30_000;
const STEP_MS = 120_000;

function bundleSizes() {
  const dist = join(ROOT, "dist");
  const html = readFileSync(join(dist, "index.html"), "utf8");
  const mainFiles = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => join(dist, m[1]!));
  const assets = readdirSync(join(dist, "assets"));
  const workerFiles = assets.filter((f) => /^(databaseWorker|crsqlite-sync|AccessHandlePoolVFS|VFS|_virtual_empty-database)-.*\.js$/.test(f)).map((f) => join(dist, "assets", f));
  const wasm = (name: string) => gz(join(dist, "assets", assets.find((f) => f.startsWith(name) && f.endsWith(".wasm"))!));
  return {
    // What index.html loads before the first paint (the entry, its preloaded chunks and CSS);
    // screens loaded later (editor, Markdown, settings) are not counted.
    main: mainFiles.reduce((n, f) => n + gz(f), 0),
    worker: workerFiles.reduce((n, f) => n + gz(f), 0),
    // Loaded by the database worker once the account key is in use (crypto/aead.ts).
    cipher: assets.filter((f) => /^libsodium-wrappers-.*\.js$/.test(f)).reduce((n, f) => n + gz(join(dist, "assets", f)), 0),
    wasm: wasm("crsqlite-sync"),
    fallbackWasm: wasm("crsqlite-") - 0,
  };
}

// Strings, not functions: tsx would wrap named inner functions in a helper the page lacks.
const FIRST_LIST_PAINT = `new Promise((resolve) => {
  const check = () => (document.querySelector(".note-title") ? resolve(performance.now()) : requestAnimationFrame(check));
  check();
})`;

export async function importNotes(page: Page, notes = NOTES) {
  const list = Array.from({ length: notes }, (_, i) => ({
    title: `${WORDS[i % WORDS.length]} note ${i}`,
    body: `Notes about ${WORDS[(i * 7) % WORDS.length]} and ${WORDS[(i * 3) % WORDS.length]}, item ${i}. `.repeat(3),
  }));
  await page.locator('input[type="file"]').setInputFiles({ name: "notes.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(list)) });
  // The app previews an import and asks before writing.
  await page.getByRole("dialog", { name: /^Import / }).getByRole("button", { name: "Import", exact: true }).click({ timeout: 120_000 });
  await page.getByText(`Imported ${notes.toLocaleString("en-US")} notes.`).waitFor({ timeout: 120_000 });
}

/** Installs the app with `notes` notes in a fresh profile, then measures offline cold starts. */
export async function coldStartsOffline(url: string, storage: "opfs" | "idb", notes = NOTES, starts = COLD_STARTS): Promise<Summary> {
  const profile = freshProfileDir();
  const query = storage === "idb" ? "/?storage=idb" : "/";
  let context = await launchProfile(profile);
  try {
    let page = context.pages()[0] ?? (await context.newPage());
    await page.goto(url + query, { timeout: STEP_MS });
    await page.locator(".app[data-storage]").waitFor({ timeout: STEP_MS });
    await withTimeout(page.evaluate("navigator.serviceWorker.ready"), PAINT_TIMEOUT_MS, `${storage}: service worker ready`);
    for (let done = 0; done < notes; done += NOTES) await importNotes(page, Math.min(NOTES, notes - done));
    await context.close();
    const samples: number[] = [];
    for (let i = 0; i < starts; i++) {
      context = await launchProfile(profile);
      await context.setOffline(true);
      page = context.pages()[0] ?? (await context.newPage());
      await page.goto(url + query, { waitUntil: "commit", timeout: STEP_MS });
      samples.push(await withTimeout(page.evaluate<number>(FIRST_LIST_PAINT), PAINT_TIMEOUT_MS, `${storage}: cold start offline paints a list`));
      await context.close();
    }
    return summarise(samples);
  } finally {
    await context.close().catch(() => undefined);
  }
}

async function searchLatency(url: string, profileDir: string): Promise<{ fts: number[]; like: number[] }> {
  const context = await launchProfile(profileDir);
  try {
    return await searchIn(context.pages()[0] ?? (await context.newPage()), url, NOTES);
  } finally {
    await context.close();
  }
}

/** Search latency in `page` (which gets `notes` notes first). */
export async function searchIn(page: Page, url: string, notes: number): Promise<{ fts: number[]; like: number[] }> {
  await page.goto(url, { timeout: STEP_MS });
  await page.locator(".app[data-storage]").waitFor({ timeout: STEP_MS });
  for (let done = 0; done < notes; done += NOTES) await importNotes(page, Math.min(NOTES, notes - done));
  const fts: number[] = [];
  const like: number[] = [];
  for (let i = 0; i < SEARCHES; i++) {
    const word = WORDS[i % WORDS.length]!.slice(0, 3 + (i % 3));
    fts.push(
      await withTimeout(page.evaluate<number>(`(async () => {
        const t = performance.now();
        await window.cobrain.sql("SELECT n.id, highlight(notes_fts, 0, '\\u0002', '\\u0003'), snippet(notes_fts, 1, '\\u0002', '\\u0003', '…', 16) FROM notes_fts JOIN notes AS n ON n.rowid = notes_fts.rowid WHERE notes_fts MATCH ? AND n.trashed_at IS NULL ORDER BY rank LIMIT 50", ['"${word}"*']);
        return performance.now() - t;
      })()`), STEP_MS, "search"),
    );
    like.push(
      await withTimeout(page.evaluate<number>(`(async () => {
        const t = performance.now();
        await window.cobrain.sql("SELECT id, title, body FROM notes WHERE (title LIKE ? OR body LIKE ?) AND trashed_at IS NULL ORDER BY updated_at DESC LIMIT 50", ['%${word}%', '%${word}%']);
        return performance.now() - t;
      })()`), STEP_MS, "LIKE search"),
    );
  }
  return { fts, like };
}

export async function appSuite(): Promise<Metric[]> {
  await buildApp();
  const sizes = bundleSizes();
  const secret = randomBytes(16).toString("hex");
  const server = await startLocalServer({ port: PORT, persistTo: mkdtempSync(join(ROOT, ".tmp", "bench-app-")), authSecret: secret });
  try {
    const opfs = await coldStartsOffline(server.url, "opfs");
    const idb = await coldStartsOffline(server.url, "idb");
    const profile = freshProfileDir();
    const search = await searchLatency(server.url, profile);
    // The same profile and notes again, as a phone: scrolling the list and opening notes from it.
    const phone = await phoneList(server.url, profile, NOTES, (title) => `item ${title.split(" ").at(-1)}.`, STATIC_LIST).then(phoneMetrics, (error) => {
      // The other app figures stand without these.
      console.error("app suite, phone size:", error);
      return [failedMetric("app", `scrolling ${NOTES} notes and opening notes at phone size`, error)];
    });
    const kb = (bytes: number) => bytes / 1024;
    const m = (name: string, unit: string, ours: number, baseline?: number, baselineName?: string, target?: string): Metric => ({ suite: "app", name, unit, ours, baseline, baselineName, target });
    const fts = sortedCopy(search.fts);
    const like = sortedCopy(search.like);
    const at = (sorted: number[], q: number): Summary => ({ median: quantile(sorted, q), min: sorted[0]!, max: sorted.at(-1)!, n: sorted.length });
    const like_ = "LIKE scan, newest first";
    return [
      fromSummaries({ suite: "app", name: `cold start offline → first painted note list, ${NOTES} notes (${COLD_STARTS} starts)`, unit: "ms", baselineName: "stock crsqlite-wasm (IndexedDB)", target: "≤ 1500 ms" }, opfs, idb),
      fromSummaries({ suite: "app", name: `search p50 over ${NOTES} notes (FTS5, main thread → results, n=${SEARCHES})`, unit: "ms", baselineName: like_, target: "≤ 20 ms" }, at(fts, 0.5), at(like, 0.5)),
      fromSummaries({ suite: "app", name: `search p95 over ${NOTES} notes`, unit: "ms", baselineName: like_ }, at(fts, 0.95), at(like, 0.95)),
      ...phone,
      m("main-thread JS + CSS at first paint, gzipped", "KB", kb(sizes.main), undefined, undefined, "≤ 60 KB"),
      m("database worker JS, gzipped", "KB", kb(sizes.worker)),
      m("cell cipher (libsodium, JS + WASM), loaded by the worker when the account key is in use, gzipped", "KB", kb(sizes.cipher)),
      m("cr-sqlite WASM (sync build, OPFS), gzipped", "KB", kb(sizes.wasm), kb(sizes.fallbackWasm), "stock asyncify build"),
    ];
  } finally {
    await server.stop();
  }
}

/** The phone rows: scrolling the whole list (against the same rows static), opening notes. */
function phoneMetrics({ list, plain, open }: Awaited<ReturnType<typeof phoneList>>): Metric[] {
  const size = `phone size (${PHONE.viewport.width}×${PHONE.viewport.height}, ×${PHONE.deviceScaleFactor}, mobile)`;
  const scroll = `scrolling ${NOTES} notes top to bottom at ${size}`;
  const static_ = `the same ${NOTES} rows static, not virtualised`;
  const budget = FRAME_BUDGET_MS.toFixed(1);
  const frames = (name: string, unit: string, ours: number, baseline: number | undefined, n: number): Metric => ({
    suite: "app",
    name,
    unit,
    ours,
    n,
    ...(baseline === undefined ? {} : { baseline, baselineName: static_ }),
  });
  return [
    { suite: "app", name: `${scroll}: frames`, unit: "frames", ours: list.frames },
    frames(`${scroll}: frames over ${budget} ms`, "frames", list.over, plain?.over, list.frames),
    frames(`${scroll}: share of frames over ${budget} ms`, "%", list.overPercent, plain?.overPercent, list.frames),
    frames(`${scroll}: p95 frame time`, "ms", list.p95, plain?.p95, list.frames),
    { suite: "app", name: `opening a note from the list → Markdown body rendered, at ${size}, p50 (n=${OPENS})`, unit: "ms", ours: open.p50, min: open.min, max: open.max, n: OPENS },
    { suite: "app", name: `opening a note from the list → Markdown body rendered, p95`, unit: "ms", ours: open.p95, min: open.min, max: open.max, n: OPENS },
  ];
}
