/**
 * Local database suite: the chosen OPFS path against the stock crsqlite-wasm IndexedDB path,
 * same page, same code, same run.
 */
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { freshProfileDir, launchProfile } from "../e2e/browser.ts";
import { build, preview } from "vite";
import type { StorageKind } from "../web/src/db/protocol";
import type { Metric } from "./report.ts";

/** ≥ 200 samples as the issue asks; enough for a stable p95. */
const UPDATE_SAMPLES = 300;
const IMPORT_NOTES = 10_000;
/** Reloads over which the warm open time is taken (median). */
const WARM_OPENS = 7;
const BENCH_PORT = 8795;

const configFile = fileURLToPath(new URL("./vite.config.ts", import.meta.url));

async function openPage(page: Page, url: string, storage: StorageKind): Promise<number> {
  await page.goto(`${url}/?storage=${storage}`);
  await page.waitForFunction(() => typeof window.bench !== "undefined");
  const ms = await page.evaluate(() => window.bench.openMs());
  const actual = await page.evaluate(() => window.bench.storage());
  if (actual !== storage) throw new Error(`asked for ${storage}, page opened ${actual}`);
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Each storage gets a fresh browser profile on disk, as an installed browser has. (An incognito
 * context keeps OPFS and IndexedDB in memory behind IPC: every OPFS write costs ~0.6 ms there,
 * ten times the real figure.)
 */
async function measure(url: string, storage: StorageKind) {
  const context = await launchProfile(freshProfileDir());
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (e) => console.error(`[${storage}] page error:`, e));
  const coldOpen = await openPage(page, url, storage);
  const update = await page.evaluate((n) => window.bench.updateLatency(n), UPDATE_SAMPLES);
  const importMultiRow = await page.evaluate((n) => window.bench.importMultiRow(n), IMPORT_NOTES);
  const importRowByRow = await page.evaluate((n) => window.bench.importRowByRow(n), IMPORT_NOTES);
  const importPlain = await page.evaluate((n) => window.bench.importPlainTable(n), IMPORT_NOTES);
  const warm: number[] = [];
  for (let i = 0; i < WARM_OPENS; i++) {
    await page.reload();
    warm.push(await openPage(page, url, storage));
  }
  const notesAfter = await page.evaluate(() => window.bench.countNotes());
  await context.close();
  return { coldOpen, warmOpen: median(warm), update, importMultiRow, importRowByRow, importPlain, notesAfter };
}

export async function localDbSuite(): Promise<Metric[]> {
  await build({ configFile });
  const server = await preview({ configFile, preview: { port: BENCH_PORT } });
  const url = `http://127.0.0.1:${BENCH_PORT}`;
  try {
    const opfs = await measure(url, "opfs");
    const idb = await measure(url, "idb");
    const row = (name: string, unit: string, ours: number, theirs: number, target?: string): Metric => ({
      suite: "local database",
      name,
      unit,
      ours,
      baseline: theirs,
      baselineName: "stock crsqlite-wasm (IndexedDB)",
      target,
    });
    return [
      row(`single-note update p50 (n=${UPDATE_SAMPLES})`, "ms", opfs.update.p50, idb.update.p50, "≤ 3 ms"),
      row(`single-note update p95 (n=${UPDATE_SAMPLES})`, "ms", opfs.update.p95, idb.update.p95),
      row(`import ${IMPORT_NOTES} notes, one transaction (app: multi-row INSERT)`, "ms", opfs.importMultiRow, idb.importMultiRow, "≤ 1500 ms"),
      row(`import ${IMPORT_NOTES} notes, one INSERT per note`, "ms", opfs.importRowByRow, idb.importRowByRow),
      row(`import ${IMPORT_NOTES} rows into a plain (non-CRR) table`, "ms", opfs.importPlain, idb.importPlain),
      row("open, cold (empty origin: WASM fetch + create + migrate)", "ms", opfs.coldOpen, idb.coldOpen),
      row(`open, warm (reload, ${opfs.notesAfter} notes, median of ${WARM_OPENS})`, "ms", opfs.warmOpen, idb.warmOpen, "≤ 150 ms"),
    ];
  } finally {
    await new Promise<void>((done) => server.httpServer.close(() => done()));
  }
}
