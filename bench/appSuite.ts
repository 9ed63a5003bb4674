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
import type { Metric } from "./report.ts";

const PORT = 8799;
const NOTES = 10_000;
const COLD_STARTS = 5;
const SEARCHES = 60;
const WORDS = ["kyoto", "budget", "meeting", "garden", "recipe", "python", "travel", "invoice", "birthday", "novel"];

const gz = (file: string) => gzipSync(readFileSync(file)).length;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

function bundleSizes() {
  const dist = join(ROOT, "dist");
  const html = readFileSync(join(dist, "index.html"), "utf8");
  const mainFiles = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => join(dist, m[1]!));
  const assets = readdirSync(join(dist, "assets"));
  const workerFiles = assets.filter((f) => /^(databaseWorker|crsqlite-sync|AccessHandlePoolVFS|VFS)-.*\.js$/.test(f)).map((f) => join(dist, "assets", f));
  const wasm = (name: string) => gz(join(dist, "assets", assets.find((f) => f.startsWith(name) && f.endsWith(".wasm"))!));
  return {
    // What index.html loads before the first paint (the entry, its preloaded chunks and CSS);
    // screens loaded later (editor, Markdown, settings) are not counted.
    main: mainFiles.reduce((n, f) => n + gz(f), 0),
    worker: workerFiles.reduce((n, f) => n + gz(f), 0),
    wasm: wasm("crsqlite-sync"),
    fallbackWasm: wasm("crsqlite-") - 0,
  };
}

// Strings, not functions: tsx would wrap named inner functions in a helper the page lacks.
const FIRST_LIST_PAINT = `new Promise((resolve) => {
  const check = () => (document.querySelector(".note-title") ? resolve(performance.now()) : requestAnimationFrame(check));
  check();
})`;

async function importNotes(page: Page) {
  const list = Array.from({ length: NOTES }, (_, i) => ({
    title: `${WORDS[i % WORDS.length]} note ${i}`,
    body: `Notes about ${WORDS[(i * 7) % WORDS.length]} and ${WORDS[(i * 3) % WORDS.length]}, item ${i}. `.repeat(3),
  }));
  await page.locator('input[type="file"]').setInputFiles({ name: "notes.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(list)) });
  // The app previews an import and asks before writing.
  await page.getByRole("dialog", { name: /^Import / }).getByRole("button", { name: "Import", exact: true }).click({ timeout: 120_000 });
  await page.getByText(`Imported ${NOTES} notes.`).waitFor({ timeout: 120_000 });
}

/** Installs the app with 10k notes in a fresh profile, then measures offline cold starts. */
async function coldStartsOffline(url: string, storage: "opfs" | "idb"): Promise<number> {
  const profile = freshProfileDir();
  const query = storage === "idb" ? "/?storage=idb" : "/";
  let context = await launchProfile(profile);
  let page = context.pages()[0] ?? (await context.newPage());
  await page.goto(url + query);
  await page.locator(".app[data-storage]").waitFor();
  await page.evaluate("navigator.serviceWorker.ready");
  await importNotes(page);
  await context.close();
  const samples: number[] = [];
  for (let i = 0; i < COLD_STARTS; i++) {
    context = await launchProfile(profile);
    await context.setOffline(true);
    page = context.pages()[0] ?? (await context.newPage());
    await page.goto(url + query, { waitUntil: "commit" });
    samples.push(await page.evaluate<number>(FIRST_LIST_PAINT));
    await context.close();
  }
  return median(samples);
}

async function searchLatency(url: string): Promise<{ fts: number[]; like: number[] }> {
  const context = await launchProfile(freshProfileDir());
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(url);
  await page.locator(".app[data-storage]").waitFor();
  await importNotes(page);
  const fts: number[] = [];
  const like: number[] = [];
  for (let i = 0; i < SEARCHES; i++) {
    const word = WORDS[i % WORDS.length]!.slice(0, 3 + (i % 3));
    fts.push(
      await page.evaluate<number>(`(async () => {
        const t = performance.now();
        await window.cobrain.sql("SELECT n.id, highlight(notes_fts, 0, '\\u0002', '\\u0003'), snippet(notes_fts, 1, '\\u0002', '\\u0003', '…', 16) FROM notes_fts JOIN notes AS n ON n.rowid = notes_fts.rowid WHERE notes_fts MATCH ? AND n.trashed_at IS NULL ORDER BY rank LIMIT 50", ['"${word}"*']);
        return performance.now() - t;
      })()`),
    );
    like.push(
      await page.evaluate<number>(`(async () => {
        const t = performance.now();
        await window.cobrain.sql("SELECT id, title, body FROM notes WHERE (title LIKE ? OR body LIKE ?) AND trashed_at IS NULL ORDER BY updated_at DESC LIMIT 50", ['%${word}%', '%${word}%']);
        return performance.now() - t;
      })()`),
    );
  }
  await context.close();
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
    const search = await searchLatency(server.url);
    const kb = (bytes: number) => bytes / 1024;
    const m = (name: string, unit: string, ours: number, baseline?: number, baselineName?: string, target?: string): Metric => ({ suite: "app", name, unit, ours, baseline, baselineName, target });
    return [
      m(`cold start offline → first painted note list, ${NOTES} notes (median of ${COLD_STARTS})`, "ms", opfs, idb, "stock crsqlite-wasm (IndexedDB)", "≤ 1500 ms"),
      m(`search p50 over ${NOTES} notes (FTS5, main thread → results)`, "ms", quantile(search.fts, 0.5), quantile(search.like, 0.5), "LIKE scan, newest first", "≤ 20 ms"),
      m(`search p95 over ${NOTES} notes`, "ms", quantile(search.fts, 0.95), quantile(search.like, 0.95), "LIKE scan, newest first"),
      m("main-thread JS + CSS at first paint, gzipped", "KB", kb(sizes.main), undefined, undefined, "≤ 60 KB"),
      m("database worker JS, gzipped", "KB", kb(sizes.worker)),
      m("cr-sqlite WASM (sync build, OPFS), gzipped", "KB", kb(sizes.wasm), kb(sizes.fallbackWasm), "stock asyncify build"),
    ];
  } finally {
    await server.stop();
  }
}
