/**
 * Durable before acknowledged (DESIGN §9): an import the app reported done is on disk on the
 * backend in use, whatever happens to the browser 0-200 ms later; a kill mid-import leaves all of
 * it or none of it; and reopening, online or offline, never shows an empty database instead of
 * the real one. Each run starts Chromium on its own copy of a profile prepared once per backend
 * (the app installed, its database created and empty), and ends it with SIGKILL or a normal close.
 */
import type { BrowserContext, Page } from "playwright-core";
import { cpSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { confirmImport, openApp, sql } from "./app";
import { freshProfileDir, killProfileBrowser, launchProfile, removeProfileDirs } from "./browser";
import { repetitions } from "./long";

const baseUrl = inject("baseUrl");
/**
 * Runs per backend: one close and one SIGKILL under `npm test`; the at least 10 under
 * `npm run test:long` (e2e/long.ts). DURABILITY_RUNS overrides.
 */
const RUNS = repetitions(2, 10, process.env.DURABILITY_RUNS);
/** Mid-import kills per backend (half reopened offline first, half online): each is all-or-none on its own. */
const MID_IMPORT_RUNS = repetitions(2, 4, process.env.DURABILITY_MID_RUNS);
/** Notes per import: few long notes keep the bytes of the bench's 10,000-note import and the test short. */
const NOTES = 500;
/** Browsers at once: a run spends much of its time starting a browser and the app, not computing. */
const LANES = 2;
// Bodies of about 4 KB (2 MB in all, like the bench's 10,000-note import): enough pages that
// IndexedDB is still writing when a relaxed COMMIT has already returned.
const importFile = Buffer.from(
  JSON.stringify(Array.from({ length: NOTES }, (_, i) => ({ title: `imported ${i}`, body: `Notes about item ${i}, with some words to make it a real note. `.repeat(60) }))),
);

async function firstPage(context: BrowserContext): Promise<Page> {
  return context.pages()[0] ?? (await context.newPage());
}

async function countNotes(page: Page): Promise<number> {
  return Number((await sql(page, "SELECT count(*) FROM notes"))[0]![0]);
}

interface Seen {
  count: number;
  storage: string | null;
  empty: boolean;
  /** What the app's banners said (a storage fallback says why): for a failure's message. */
  banners: string[];
}

/** How long a reopened app may take to answer a count (a stuck database fails here, saying so, instead of timing out the whole test). */
const ANSWER_MS = 60_000;

async function look(page: Page): Promise<Seen> {
  const storage = await page.locator(".app").getAttribute("data-storage");
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(async () => {
      const banners = await page.locator(".banner").allTextContents().catch(() => []);
      reject(new Error(`the reopened app (storage ${storage}) did not count its notes within ${ANSWER_MS} ms; banners: ${JSON.stringify(banners)}`));
    }, ANSWER_MS);
  });
  const count = await Promise.race([countNotes(page), stuck]).finally(() => clearTimeout(timer));
  const empty = await page.getByText("No notes yet").isVisible();
  const banners = await page.locator(".banner").allTextContents();
  return { count, storage, empty, banners };
}

type Network = "offline" | "online";

/**
 * Starts the browser on the profile again and opens the app once per entry of `opens`, in order
 * (the first open is a start, the next ones are reloads after switching the network): two opens of
 * the database for one browser start.
 */
async function reopen(profile: string, url: string, opens: Network[]): Promise<Partial<Record<Network, Seen>>> {
  const context = await launchProfile(profile);
  try {
    const page = await firstPage(context);
    const seen: Partial<Record<Network, Seen>> = {};
    for (const [i, network] of opens.entries()) {
      await context.setOffline(network === "offline");
      if (i === 0) await openApp(page, url);
      else {
        await page.reload();
        await page.waitForSelector(".app[data-storage], .banner-error", { timeout: 30_000 });
      }
      seen[network] = await look(page);
    }
    return seen;
  } finally {
    await context.close();
  }
}

/**
 * Runs `count` runs on LANES browsers at once; runs are independent (a fresh profile each). Every
 * browser a run starts through `launch` is closed when the run ends, whatever happened; a failed
 * run stops its lane, and the others finish before the failure is reported.
 */
async function inLanes(count: number, run: (index: number, launch: (profile: string) => Promise<BrowserContext>) => Promise<void>): Promise<void> {
  const lane = async (first: number) => {
    for (let index = first; index < count; index += LANES) {
      const started: BrowserContext[] = [];
      const launch = async (profile: string) => {
        const context = await launchProfile(profile);
        started.push(context);
        return context;
      };
      try {
        await run(index, launch);
      } finally {
        await Promise.all(started.map((context) => context.close().catch(() => undefined)));
      }
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(LANES, count) }, (_, first) => lane(first)));
  const failed = results.find((result) => result.status === "rejected");
  if (failed) throw failed.reason;
}

/**
 * A profile with the app installed from `url` (its service worker ready, its files cached) and its
 * database created, empty: what each run starts from, copied. Installing is not what the runs test,
 * and it took a good part of each one.
 */
async function preparedProfile(url: string, storage: string): Promise<string> {
  const profile = freshProfileDir();
  const context = await launchProfile(profile);
  try {
    const page = await firstPage(context);
    await openApp(page, url);
    expect(await page.locator(".app").getAttribute("data-storage")).toBe(storage);
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready; // so the offline reopen has the app shell
    });
    expect(await countNotes(page)).toBe(0);
  } finally {
    await context.close();
  }
  return profile;
}

/** A copy of `template` for one run (Chromium is closed on the template, so its files are still). */
function copyOf(template: string): string {
  const profile = freshProfileDir();
  cpSync(template, profile, { recursive: true });
  return profile;
}

async function startImport(page: Page): Promise<void> {
  await page.locator('input[type="file"]').setInputFiles({ name: "notes.json", mimeType: "application/json", buffer: importFile });
  await confirmImport(page, 120_000);
}

const backends = [
  { name: "OPFS", url: () => baseUrl, storage: "opfs" },
  { name: "IndexedDB", url: () => `${baseUrl}/?storage=idb`, storage: "idb" },
];

// Every run's profile copy and each template (the browsers on them are closed or killed by then).
afterAll(removeProfileDirs);

describe.each(backends)("$name: durable before acknowledged", ({ url, storage }) => {
  /** How long the import took from choosing the file to the success message (ms). */
  const importTimes: number[] = [];
  let template: string;
  beforeAll(async () => {
    template = await preparedProfile(url(), storage);
  }, 120_000);

  it(
    `an import reported done survives a close or a SIGKILL 0-200 ms later, reopened online and offline (${RUNS} runs)`,
    async () => {
      const failures: string[] = [];
      await inLanes(RUNS, async (run, launch) => {
        const kill = run % 2 === 0;
        const profile = copyOf(template);
        const context = await launch(profile);
        const page = await firstPage(context);
        await openApp(page, url());
        expect(await page.locator(".app").getAttribute("data-storage")).toBe(storage);
        expect(await countNotes(page)).toBe(0);
        const started = Date.now();
        await startImport(page);
        await page.getByText(`Imported ${NOTES.toLocaleString("en-US")} notes.`).waitFor({ timeout: 120_000 });
        importTimes.push(Date.now() - started);
        await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 200)));
        if (kill) await killProfileBrowser(profile);
        else await context.close();
        if (kill) await context.close().catch(() => undefined);
        const { offline, online } = await reopen(profile, url(), ["offline", "online"]);
        for (const [how, seen] of [["offline", offline!], ["online", online!]] as const) {
          const label = `run ${run} (${kill ? "SIGKILL" : "close"}), reopened ${how}`;
          console.log(`durability ${storage}: ${label}: ${seen.count} notes`);
          if (seen.count !== NOTES || seen.empty || seen.storage !== storage) failures.push(`${label}: ${JSON.stringify(seen)}`);
        }
      });
      expect(failures).toEqual([]);
    },
    (RUNS / LANES) * 240_000,
  );

  it(
    `a SIGKILL in the middle of an import leaves all of it or none of it (${MID_IMPORT_RUNS} runs)`,
    async () => {
      const seenCounts: number[] = [];
      await inLanes(MID_IMPORT_RUNS, async (run, launch) => {
        const profile = copyOf(template);
        const context = await launch(profile);
        const page = await firstPage(context);
        await openApp(page, url());
        await startImport(page);
        // Somewhere between choosing the file and the success message, as timed in the runs above.
        const typical = importTimes.length ? importTimes.reduce((a, b) => a + b) / importTimes.length : 3_000;
        await new Promise((resolve) => setTimeout(resolve, Math.floor(typical * (0.1 + 0.8 * Math.random()))));
        await killProfileBrowser(profile);
        await context.close().catch(() => undefined);
        // Half the runs open first offline, half first online.
        const network: Network = run % 2 === 0 ? "offline" : "online";
        const seen = (await reopen(profile, url(), [network]))[network]!;
        seenCounts.push(seen.count);
        expect(seen.storage, JSON.stringify(seen)).toBe(storage);
      });
      console.log(`durability ${storage}: notes after a mid-import kill: ${seenCounts.join(", ")}`);
      for (const count of seenCounts) expect([0, NOTES]).toContain(count);
    },
    (MID_IMPORT_RUNS / LANES) * 180_000,
  );
});

describe("opening never shows an empty database while the real one exists", () => {
  it("notes imported on the IndexedDB fallback open from the app's plain address too", async () => {
    const profile = freshProfileDir();
    const context = await launchProfile(profile);
    const page = await firstPage(context);
    await openApp(page, `${baseUrl}/?storage=idb`);
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await startImport(page);
    await page.getByText(`Imported ${NOTES.toLocaleString("en-US")} notes.`).waitFor({ timeout: 120_000 });
    await context.close();
    // The installed app starts at "/", without the override: the notes are still in IndexedDB.
    const { offline, online } = await reopen(profile, baseUrl, ["offline", "online"]);
    expect(offline).toMatchObject({ count: NOTES, storage: "idb", empty: false });
    expect(online).toMatchObject({ count: NOTES, storage: "idb", empty: false });
  }, 240_000);
});

describe("IndexedDB: a commit is on disk before the app says so", () => {
  /** Notes per write: about 10 MB, far past SQLite's page cache, so the commit goes through the rollback journal. */
  const BIG_WRITE_NOTES = 10_000;
  /** On the old setting every write was lost, so one finds it; the long run does three. */
  const RELOADS = repetitions(1, 3);

  it(`a reload right after large writes keeps every note and a sound database (${RELOADS} × a write followed at once by a reload)`, async () => {
    const profile = freshProfileDir();
    const context = await launchProfile(profile);
    try {
      const page = await firstPage(context);
      const url = `${baseUrl}/?storage=idb`;
      await openApp(page, url);
      expect(await page.locator(".app").getAttribute("data-storage")).toBe("idb");
      for (let round = 0; round < RELOADS; round++) {
        // One transaction of multi-row INSERTs, as an import writes; the reload starts the moment the worker answers.
        await page.evaluate(
          ([count, r]) => {
            const statements = [];
            for (let from = 0; from < count; from += 500) {
              const rows = Array.from({ length: Math.min(500, count - from) }, (_, k) => from + k);
              statements.push({
                sql: `INSERT INTO notes (id, title, body, created_at, updated_at) VALUES ${rows.map(() => "(?, ?, ?, ?, ?)").join(", ")}`,
                params: rows.flatMap((i) => [`r${r}-${i}`, `round ${r} note ${i}`, `Body of note ${i}. `.repeat(50), i, i]),
                method: "run" as const,
              });
            }
            return window.cobrain.client.batch(statements).then(() => undefined);
          },
          [BIG_WRITE_NOTES, round] as const,
        );
        await page.reload();
        await page.waitForSelector(".app[data-storage], .banner-error", { timeout: 60_000 });
      }
      // What every acknowledged write left, read by a page that opened the database afresh.
      expect(await sql(page, "PRAGMA integrity_check")).toEqual([["ok"]]);
      expect(await countNotes(page)).toBe(RELOADS * BIG_WRITE_NOTES);
    } finally {
      await context.close();
    }
  }, 240_000);
});
