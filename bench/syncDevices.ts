/**
 * Devices suite: the built app in headless Chromium (separate browser processes, on-disk
 * profiles), syncing through the real local Worker + Durable Object. With 10,000 notes on both
 * devices: edit → other device's painted list; the upload of a fresh import against the DO's own
 * ingest of the same changes (same run); a new device's first sync against the local import of
 * the same notes (same run); an offline backlog. Every wait is bounded (bench/measure.ts).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { freshProfileDir, launchProfile } from "../e2e/browser.ts";
import { buildApp, ROOT, startLocalServer } from "../scripts/lib/localServer.ts";
import { mintToken } from "../worker/auth.ts";
import type { ExportedAccountKey } from "../web/src/db/protocol.ts";
import type { ApiLogStats } from "../shared/api.ts";
import { quantile, sortedCopy, summarise, until, withTimeout, type Summary } from "./measure.ts";
import { errorMessage } from "../shared/errorMessage.ts";
import { failedMetric, fromSummaries, type Metric } from "./report.ts";
import { milestoneAt, watchMilestones } from "./milestones.ts";
import { ingest } from "./syncServer.ts";
import { nodeEditLatency } from "./transportLatency.ts";
import { hiddenTabUpload } from "./hiddenTab.ts";
import { benchNotes } from "./noteFile.ts";

/** `BENCH_DEVICES_PORT` moves it when another server holds the port. */
const PORT = Number(process.env.BENCH_DEVICES_PORT ?? 8798);
const EDIT_SAMPLES = 60;
const TYPING_SAMPLES = 10;
const NOTES = 10_000;
const BACKLOG_NOTES = 2_000;
/** Imports from a hidden tab, and as many from a visible one: each takes a fresh browser and account. */
const HIDDEN_TAB_RUNS = 3;
/** The whole hidden-tab step's bound (six imports and uploads of ~10 s each here), well inside the suite's 15 minutes. */
const HIDDEN_TAB_MS = 300_000;
/** Bound of one sync or import of 10,000 notes on a loaded 2-core machine. */
const BULK_MS = 180_000;
const STEP_MS = 60_000;

export const count = async (page: Page) =>
  Number(((await page.evaluate(() => window.cobrain.sql("SELECT count(*) FROM notes"))) as number[][])[0]![0]);
const changeCount = async (page: Page) =>
  Number(((await page.evaluate(() => window.cobrain.sql("SELECT count(*) FROM crsql_changes"))) as number[][])[0]![0]);
const syncState = (page: Page) => page.locator(".sync-indicator").getAttribute("data-sync-state", { timeout: STEP_MS });

/**
 * Answers a sign-in link's question on `page`, first handing it the account key when the account
 * has one (as the QR link or the recovery phrase would): without it a device of an encrypted
 * account never syncs (it shows "This device needs the account key").
 */
export async function signIn(page: Page, url: string, token: string, key: ExportedAccountKey | null): Promise<void> {
  await page.goto(`${url}/#token=${token}`, { timeout: STEP_MS });
  if (key) {
    await page.waitForSelector(".app[data-storage]", { timeout: STEP_MS });
    await page.evaluate((k) => window.cobrain.client.adoptAccountKey(k), key);
  }
  await page.getByRole("dialog").getByRole("button", { name: /^Sign in as / }).click({ timeout: STEP_MS });
}

/** A device signed in and synced; the account's first device (no `key`) makes the key, and hands it back. */
export async function openDevice(
  url: string,
  secret: string,
  user: string,
  deviceId: string,
  key: ExportedAccountKey | null = null,
): Promise<{ context: BrowserContext; page: Page; key: ExportedAccountKey | null; profile: string }> {
  const profile = freshProfileDir();
  const context = await launchProfile(profile);
  const page = context.pages()[0] ?? (await context.newPage());
  await signIn(page, url, await mintToken(secret, { userId: user, deviceId }), key);
  await until(async () => (await syncState(page)) === "synced", STEP_MS, `${deviceId} synced`);
  return { context, page, key: key ?? (await page.evaluate(() => window.cobrain.client.exportAccountKey())), profile };
}

/** Imports `notes` notes through the app's Import (preview, then confirm); resolves to the ms from confirm to done. */
export async function importFile(page: Page, notes: number, prefix: string): Promise<number> {
  const list = benchNotes(notes, prefix);
  await page.locator('input[type="file"]').setInputFiles({ name: "notes.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(list)) });
  const confirm = page.getByRole("dialog", { name: /^Import / }).getByRole("button", { name: "Import", exact: true });
  await confirm.waitFor({ timeout: BULK_MS });
  const started = Date.now();
  await confirm.click({ timeout: STEP_MS });
  await page.getByText(`Imported ${notes.toLocaleString("en-US")} notes.`).waitFor({ timeout: BULK_MS });
  return Date.now() - started;
}

/** Wall-clock ms with sub-ms precision, in a page; comparable across the browsers of one machine. */
const NOW = "performance.timeOrigin + performance.now()";

/** Resolves (in the page) with the time (`NOW`) once a `.note-title` reads `text`. */
const WATCH_TITLE = (text: string) => `new Promise((resolve) => {
  const text = ${JSON.stringify(text)};
  const seen = () => [...document.querySelectorAll(".note-title")].some((n) => n.textContent === text);
  if (seen()) return resolve(${NOW});
  const observer = new MutationObserver(() => {
    if (seen()) { observer.disconnect(); resolve(${NOW}); }
  });
  observer.observe(document.body, { subtree: true, childList: true, characterData: true });
})`;

/** Records every state of the first sync's progress bar in `window.__progress` as [received, total]. */
const PROGRESS_WATCH = `(() => {
  window.__progress = [];
  const observer = new MutationObserver(() => {
    const bar = document.querySelector(".sync-progress");
    const last = window.__progress.at(-1);
    if (bar && (!last || last[0] !== bar.value || last[1] !== bar.max)) window.__progress.push([bar.value, bar.max]);
  });
  observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
})()`;

/** What each device holds and says about sync, for a step that never finished (its metric's reason). */
async function syncSnapshot(pages: Record<string, Page>): Promise<string> {
  const parts = await Promise.all(
    Object.entries(pages).map(async ([name, page]) => {
      const about = await page
        .evaluate(async () => ({
          title: await window.cobrain.sql("SELECT title FROM notes WHERE id = 'latency'"),
          status: document.querySelector(".sync-indicator")?.textContent,
          activity: await window.cobrain.sql("SELECT kind, detail FROM sync_activity ORDER BY at DESC LIMIT 5"),
        }))
        .catch((error: unknown) => errorMessage(error));
      return `${name}: ${JSON.stringify(about)}`;
    }),
  );
  return parts.join("; ");
}

/** The stages of an edit's way from A's write to B's painted list, in order (web/src/db-worker/trace.ts). */
const EDIT_STAGES = [
  { mark: "write committed", on: "a", name: "A: the page's write → committed on disk" },
  { mark: "changes sent", on: "a", name: "A: committed → change read, sealed and sent" },
  { mark: "changes received", on: "b", name: "local Worker: A sent → B received (both browsers' sockets + the Durable Object)" },
  { mark: "changes merged", on: "b", name: "B: received → opened and merged (cr-sqlite, search index, text ancestor, cursor)" },
  { mark: "changes applied", on: "b", name: "B: merged → committed on disk (its COMMIT alone)" },
  { mark: "read started", on: "b", name: "B: committed → its list's re-read starts in the worker (change event → page → worker)" },
  { mark: "read done", on: "b", name: "B: the list's re-read (SQL in the worker)" },
  { mark: "painted", on: "b", name: "B: re-read done → the new title in B's list (answer → page → DOM)" },
] as const;

/**
 * A writes a title; B's live note list paints it. Clocks are one machine's wall clock. With each
 * sample, the moments its stages ended (the workers' sync timeline), for where the time goes.
 */
async function editLatency(a: Page, b: Page): Promise<{ totals: number[]; stages: number[][] }> {
  await a.evaluate(() => window.cobrain.sql("INSERT INTO notes (id, title, pinned, updated_at) VALUES ('latency', 'edit 0', 1, 9e15)"));
  await b.locator(".note-title", { hasText: "edit 0" }).waitFor({ timeout: STEP_MS }).catch(async (error) => {
    throw new Error(`${errorMessage(error)}; ${await syncSnapshot({ a, b })}`);
  });
  const totals: number[] = [];
  const stages: number[][] = EDIT_STAGES.map(() => []);
  for (let i = 1; i <= EDIT_SAMPLES + 5; i++) {
    // A string, not a function: tsx would wrap named inner functions in a helper the page lacks.
    const seen = b.evaluate<number>(WATCH_TITLE(`edit ${i}`));
    await Promise.all([a, b].map((p) => p.evaluate(() => window.cobrain.client.trace(true))));
    await new Promise((r) => setTimeout(r, 30)); // let the observer install
    const sentAt = await a.evaluate(`(() => {
      const t = ${NOW};
      void window.cobrain.sql("UPDATE notes SET title = ? WHERE id = 'latency'", [${JSON.stringify(`edit ${i}`)}]);
      return t;
    })()`) as number;
    const seenAt = await withTimeout(seen, STEP_MS, `edit ${i} painted on B`).catch(async (error) => {
      throw new Error(`${errorMessage(error)}; ${await syncSnapshot({ a, b })}`);
    });
    const marks = { a: await a.evaluate(() => window.cobrain.client.trace(false)), b: await b.evaluate(() => window.cobrain.client.trace(false)) };
    if (i <= 5) continue;
    totals.push(seenAt - sentAt);
    // Each stage ends at the first mark of its kind after the stage before it ended.
    let at = sentAt;
    EDIT_STAGES.forEach((stage, s) => {
      const end = stage.mark === "painted" ? seenAt : marks[stage.on].find(([label, t]) => label === stage.mark && t >= at)?.[1];
      if (end === undefined || end > seenAt) return;
      stages[s]!.push(end - at);
      at = end;
    });
    await new Promise((r) => setTimeout(r, 60)); // each edit its own burst
  }
  return { totals, stages };
}

/**
 * A person types a title in A's editor: the last keystroke → B's list paints the title. This is
 * the autosave delay a typing person adds on top of the edit path above (the editor saves once
 * typing pauses).
 */
async function typingLatency(a: Page, b: Page): Promise<number[]> {
  const samples: number[] = [];
  await a.locator(".note-open").filter({ has: a.locator(".note-title", { hasText: /^edit \d+$/ }) }).first().click({ timeout: STEP_MS });
  const title = a.getByLabel("Title", { exact: true });
  for (let i = 0; i < TYPING_SAMPLES; i++) {
    const text = `typed ${i}`;
    const seen = b.evaluate<number>(WATCH_TITLE(text));
    await title.fill(`typed ${i}`.slice(0, -1), { timeout: STEP_MS });
    await new Promise((r) => setTimeout(r, 400)); // the prefix saved and synced first
    const sentAt = performance.timeOrigin + performance.now(); // the clock WATCH_TITLE reads
    await title.press(text.at(-1)!);
    samples.push((await withTimeout(seen, STEP_MS, `typed title ${i} painted on B`)) - sentAt);
  }
  return samples;
}

/** How many times a worker's timeline went from `start` to the next `end`, and the ms in all. */
function spans(marks: readonly [string, number][], start: string, end: string): { count: number; ms: number } {
  let from: number | undefined;
  let count = 0;
  let ms = 0;
  for (const [label, t] of marks) {
    if (label === start) from = t;
    else if (label === end && from !== undefined) {
      count++;
      ms += t - from;
      from = undefined;
    }
  }
  return { count, ms };
}

/**
 * From a worker's timeline: time between each start mark and the end mark after it (applies,
 * reads, decoding a frame), summed (the worker runs them one at a time); the gaps from one
 * apply's end to the next one's start, and how much of them went to decoding that next frame.
 */
function busyTimes(marks: [string, number][]): {
  applies: number;
  applyMs: number;
  openMs: number;
  mergeMs: number;
  commitMs: number;
  reads: number;
  readMs: number;
  gapMs: number;
  decodeInGapsMs: number;
  marks: [string, number][];
} {
  const sum = (start: string, end: string) => spans(marks, start, end);
  const applies = sum("apply started", "changes applied");
  const opens = sum("apply started", "changes opened");
  const merges = sum("changes opened", "changes merged");
  const commits = sum("changes merged", "changes applied");
  const reads = sum("read started", "read done");
  const gaps = sum("changes applied", "apply started");
  // Decoding a frame (its message's arrival to its changes decoded) between two applies.
  let decodeInGapsMs = 0;
  let applying = false;
  let appliedOnce = false;
  let arrived: number | undefined;
  for (const [label, t] of marks) {
    if (label === "apply started") applying = true;
    else if (label === "changes applied") [applying, appliedOnce] = [false, true];
    else if (label === "message arrived") arrived = applying || !appliedOnce ? undefined : t;
    else if (label === "changes received" && arrived !== undefined && !applying) decodeInGapsMs += t - arrived;
  }
  return { applies: applies.count, applyMs: applies.ms, openMs: opens.ms, mergeMs: merges.ms, commitMs: commits.ms, reads: reads.count, readMs: reads.ms, gapMs: gaps.ms, decodeInGapsMs, marks };
}

/** Counts the layouts `page` runs from now on (Chromium's performance metrics, over CDP). */
async function layoutCounter(page: Page): Promise<() => Promise<number>> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  const count = async () => (await cdp.send("Performance.getMetrics")).metrics.find((metric) => metric.name === "LayoutCount")?.value ?? Number.NaN;
  const before = await count();
  return async () => (await count()) - before;
}

/** A new device's steps from the sign-in link to its first frame of changes, each as ms (NaN if a mark is missing). */
function firstFrameSteps(marks: [string, number][], linkAt: number, appReadyAt: number, signInAt: number): [string, number][] {
  const last = (label: string, before = Infinity) => marks.filter(([l, t]) => l === label && t <= before).at(-1)?.[1];
  const firstFrame = marks.find(([label]) => label === "changes received")?.[1] ?? Number.NaN;
  const opened = last("socket opened", firstFrame) ?? Number.NaN;
  const starting = last("sync starting", opened) ?? Number.NaN;
  const streaming = last("streaming started", firstFrame) ?? Number.NaN;
  const cipherAt = last("cipher ready", opened) ?? Number.NaN;
  const keyCheckedAt = last("account key checked", opened) ?? Number.NaN;
  return [
    ["sign-in link → app ready (page load, database open)", appReadyAt - linkAt],
    ["app ready → sign-in confirmed (the benchmark hands over the key and clicks)", signInAt - appReadyAt],
    ["sign-in confirmed → sync starting (token stored; its refresh credential is fetched from here on, beside the copy asked for)", starting - signInAt],
    ["sync starting → socket open (the refresh credential, keys, cipher, account key check, token)", opened - starting],
    ["of that: sync starting → account key checked (keys read, the token, the server asked, the cell cipher awaited)", keyCheckedAt - starting],
    ["of that: account key checked → socket open (the WebSocket handshake)", opened - keyCheckedAt],
    ["meanwhile: sync starting → cell cipher ready (libsodium loaded, if the sign-in had not loaded it)", cipherAt - starting],
    ["socket open → the server starts streaming (presence)", streaming - opened],
    ["the server starts streaming → first frame of changes received", firstFrame - streaming],
  ];
}

/** A new device's steps from its first frame of changes to its first notes painted, each as ms (NaN if a mark is missing). */
function firstPaintSteps(marks: [string, number][], paintedAt: number): [string, number][] {
  const first = (label: string) => marks.find(([l]) => l === label)?.[1] ?? Number.NaN;
  const received = first("changes received");
  const applied = first("changes applied");
  return [
    ["first frame received → its apply started", first("apply started") - received],
    ["first frame: opened (the cell cipher)", first("changes opened") - first("apply started")],
    ["first frame: merged", first("changes merged") - first("changes opened")],
    ["first frame: committed", applied - first("changes merged")],
    ["first frame applied → first notes painted (the list's re-read, drawn)", paintedAt - applied],
  ];
}

/** A new device's steps from the sign-in link to its first notes painted when it starts from the account's copy. */
export function copySteps(marks: [string, number][], linkAt: number, appReadyAt: number, signInAt: number, paintedAt: number): [string, number][] {
  const first = (label: string) => marks.find(([l]) => l === label)?.[1] ?? Number.NaN;
  /** `label`'s first mark at or after `from`'s first. */
  const after = (from: string, label: string) => marks.find(([l, t]) => l === label && t >= first(from))?.[1] ?? Number.NaN;
  return [
    ["sign-in link → app ready (page load, database open)", appReadyAt - linkAt],
    ["app ready → sign-in confirmed (the benchmark hands over the key and clicks)", signInAt - appReadyAt],
    ["sign-in confirmed → the copy asked for (token stored; the refresh credential is fetched meanwhile)", first("copy asked") - signInAt],
    ["copy asked → opened (downloaded, opened with the account key, unpacked)", first("copy opened") - first("copy asked")],
    ["of that: copy asked → downloaded (the server read it from its storage and sent it)", first("copy downloaded") - first("copy asked")],
    ["of that: downloaded → opened with the account key and unpacked (after waiting for libsodium, if it was still loading)", first("copy opened") - first("copy downloaded")],
    ["copy opened → checked (requests held; quick_check, schema, site id and private rows, in memory)", first("copy checked") - first("copy opened")],
    ["copy checked → placed (the empty database erased, the copy written to OPFS and opened, the app's open steps)", first("copy placed") - first("copy checked")],
    ["copy placed → first notes painted (the list's re-read, drawn)", paintedAt - first("copy placed")],
    ["sign-in link → the copy placed (every note in it stored, by the database worker's timeline)", first("copy placed") - linkAt],
    // What the changes made after the copy wait for: the new database's own client connecting.
    ["copy placed → account key checked (the new database's client: keys, token, the server asked)", after("copy placed", "account key checked") - first("copy placed")],
    ["account key checked → socket open (the WebSocket handshake)", after("copy placed", "socket opened") - after("copy placed", "account key checked")],
    ["socket open → first frame of the changes made after the copy received", after("copy placed", "changes received") - after("copy placed", "socket opened")],
    ["that frame received → applied (opened, merged, committed)", after("copy placed", "changes applied") - after("copy placed", "changes received")],
  ];
}

/** Calls the local Worker's API as an observer device of `user` (its log's size, the account's copy). */
export async function serverCall(serverUrl: string, secret: string, user: string, path: string, method = "GET"): Promise<ArrayBuffer> {
  const token = await mintToken(secret, { userId: user, deviceId: "bench-observer" });
  const response = await fetch(`${serverUrl}${path}`, { method, headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(STEP_MS) });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status}`);
  return response.arrayBuffer();
}

export const logStats = async (serverUrl: string, secret: string, user: string): Promise<ApiLogStats> =>
  JSON.parse(new TextDecoder().decode(await serverCall(serverUrl, secret, user, "/api/log/stats"))) as ApiLogStats;

/**
 * Waits (bounded by `boundMs`) until the account's copy covers the server's log up to `head`; a
 * copy that never comes fails with the log's stats and what `pages`' devices said about copies.
 */
export async function accountCopyCovers(serverUrl: string, secret: string, user: string, head: number, pages: Page[], boundMs: number): Promise<void> {
  await until(async () => ((await logStats(serverUrl, secret, user)).snapshotSeq ?? -1) >= head, boundMs, "the account's copy covers the import", 100).catch(async (error: unknown) => {
    const activity = async (page: Page) => page.evaluate(() => window.cobrain.sql("SELECT kind, detail FROM sync_activity WHERE detail LIKE '%copy%' ORDER BY id DESC LIMIT 5"));
    const why = JSON.stringify({ stats: await logStats(serverUrl, secret, user), wanted: head, devices: await Promise.all(pages.map(activity)) });
    throw new Error(`${errorMessage(error)}: ${why}`);
  });
}

/** What `newDevice` measures on: the server, the account, and the import it is compared with. */
interface NewDeviceRun {
  serverUrl: string;
  secret: string;
  user: string;
  deviceId: string;
  key: ExportedAccountKey | null;
  totalNow: number;
  importMs: number;
  contexts: BrowserContext[];
  /** The server keeps a copy of the account's database, which the device starts from. */
  copy: boolean;
}

/** A new device: sign-in link → first notes painted, search answering, every note stored; and where that time went. */
async function newDevice({ serverUrl, secret, user, deviceId, key, totalNow, importMs, contexts, copy }: NewDeviceRun): Promise<Metric[]> {
  const suite = "devices";
  const out: Metric[] = [];
  const one = (x: number): Summary => summarise([x]);
  const m = (name: string, ours: Summary, target?: string, unit = "ms") => fromSummaries({ suite, name, unit, target }, ours);
  const prefix = copy ? "new device from the account's copy" : "new device";
  // A new device: sign-in link → first notes painted, search answering, every note stored.
  const c = await launchProfile(freshProfileDir());
  contexts.push(c);
  const page = c.pages()[0] ?? (await c.newPage());
  const token = await mintToken(secret, { userId: user, deviceId });
  await watchMilestones(page);
  const started = Date.now();
  await page.goto(`${serverUrl}/#token=${token}`, { timeout: STEP_MS });
  await page.evaluate(PROGRESS_WATCH);
  const appReadyAt = await milestoneAt(page, "app ready", STEP_MS);
  await page.evaluate(() => window.cobrain.client.trace(true));
  await page.evaluate((k) => window.cobrain.client.adoptAccountKey(k!), key); // as the QR link would
  await page.getByRole("dialog").getByRole("button", { name: /^Sign in as / }).click({ timeout: STEP_MS });
  const signInAt = Date.now();
  const confirmedMs = signInAt - started;
  // Searched for from the sign-in on, as a person could: waiting for the list first would add
  // the milestone's own polling (up to 100 ms) to the search's figure.
  const searched = until(
    async () => Number(((await page.evaluate(() => window.cobrain.sql("SELECT count(*) FROM notes_fts WHERE notes_fts MATCH 'kyoto*'"))) as number[][])[0]![0]) > 0,
    BULK_MS,
    "C's search finds an arrived note",
  ).then(() => Date.now() - started);
  searched.catch(() => undefined);
  // Looked for from the sign-in on too, not only once the first paint is seen: from the copy, the two come close together.
  const stored = until(async () => (await count(page)) === totalNow, BULK_MS, `C received every note (${totalNow})`, 50).then(() => Date.now() - started);
  stored.catch(() => undefined);
  // Layouts the page ran from just after the sign-in to the benchmark seeing its first notes
  // (it looks every 100 ms; Chromium's own count): rows measured one forced layout each show here.
  const layouts = await layoutCounter(page);
  const firstListAt = await milestoneAt(page, "first note", BULK_MS);
  const layoutsToFirstList = await layouts();
  const firstListMs = firstListAt - started;
  const searchMs = await searched;
  const allNotesMs = await stored;
  const spent = busyTimes(await page.evaluate(() => window.cobrain.client.trace(false)));
  const progress = (await page.evaluate("window.__progress")) as [number, number][];
  out.push(
    fromSummaries(
      { suite, name: `${prefix}: progress bar updates seen (${copy ? "bytes of the copy received of its size" : "notes received of the server's count"}; last seen ${progress.at(-1)?.join(" of ") ?? "none"})`, unit: "updates" },
      one(progress.length),
    ),
  );
  out.push(
    // From the sign-in's confirmation, as the local import is timed from its confirmation (click
    // Import) in an app already open: the app's start before it is the first figures' share.
    m(`${prefix}, ${totalNow} notes: sign-in confirmed → first notes painted`, one(firstListMs - confirmedMs), "≤ ¼ of all stored"),
    m(`${prefix}, ${totalNow} notes: sign-in confirmed → search finds an arrived note`, one(searchMs - confirmedMs), "≤ ¼ of all stored"),
    fromSummaries({ suite, name: `${prefix}, ${totalNow} notes: sign-in confirmed → all notes stored`, unit: "ms", baselineName: `local import of ${NOTES} notes on A (click Import → done)`, target: "≤ 1.5× local import" }, one(allNotesMs - confirmedMs), one(importMs)),
    m(`${prefix}, ${totalNow} notes: sign-in link → first notes painted (the app's start and the sign-in included)`, one(firstListMs)),
    m(`${prefix}, ${totalNow} notes: sign-in link → search finds an arrived note`, one(searchMs)),
    fromSummaries({ suite, name: `${prefix}: page layouts from just after the sign-in to the first notes seen painted (Chromium's LayoutCount; looked for every 100 ms)`, unit: "layouts" }, one(layoutsToFirstList)),
    fromSummaries({ suite, name: `${prefix}, ${totalNow} notes: sign-in link → all notes stored`, unit: "ms", baselineName: `local import of ${NOTES} notes on A` }, one(allNotesMs), one(importMs)),
    m(`${prefix}, where that time went: applying ${spent.applies} received frames (open, merge, commit), its database worker's timeline`, one(spent.applyMs)),
    m(`${prefix}, where that time went: of that, opening the changes (the cell cipher)`, one(spent.openMs)),
    m(`${prefix}, where that time went: of that, merging them (cr-sqlite, notes new here written directly, search index, ancestors, cursor)`, one(spent.mergeMs)),
    m(`${prefix}, where that time went: of that, each frame's COMMIT to disk`, one(spent.commitMs)),
    m(`${prefix}, where that time went: ${spent.reads} re-reads of its note list meanwhile`, one(spent.readMs)),
    ...(copy
      ? copySteps(spent.marks, started, appReadyAt, signInAt, firstListAt).map(([step, ms]) => m(`${prefix}, its steps: ${step}`, one(ms)))
      : [
          ...firstFrameSteps(spent.marks, started, appReadyAt, signInAt).map(([step, ms]) => m(`${prefix}, before the first frame: ${step}`, one(ms))),
          ...firstPaintSteps(spent.marks, firstListAt).map(([step, ms]) => m(`${prefix}, after the first frame: ${step}`, one(ms))),
        ]),
    m(`${prefix}, where that time went: between one frame applied and the next one's apply, in all`, one(spent.gapMs)),
    m(`${prefix}, where that time went: of that, decoding the next frame (its message arrived → its changes decoded)`, one(spent.decodeInGapsMs)),
    m(`${prefix}, where that time went: of that, the rest (the worker receiving the next frame from the browser's network process, its list re-reads, or waiting for the server)`, one(spent.gapMs - spent.decodeInGapsMs)),
  );
  return out;
}

export async function syncDevicesSuite(): Promise<Metric[]> {
  await buildApp();
  const secret = randomBytes(32).toString("hex");
  const server = await startLocalServer({ port: PORT, persistTo: mkdtempSync(join(ROOT, ".tmp", "bench-devices-")), authSecret: secret });
  const contexts: BrowserContext[] = [];
  const suite = "devices";
  const out: Metric[] = [];
  let step = "open A and B";
  try {
    const user = `bench-${Date.now()}`;
    const a = await openDevice(server.url, secret, user, "a");
    contexts.push(a.context);
    const b = await openDevice(server.url, secret, user, "b", a.key);
    contexts.push(b.context);

    step = "offline backlog";
    // Offline backlog: A imports while offline, then comes back.
    await a.context.setOffline(true);
    await until(async () => (await syncState(a.page)) === "offline", STEP_MS, "A offline");
    await importFile(a.page, BACKLOG_NOTES, "backlog");
    const backOnline = Date.now();
    await a.context.setOffline(false);
    await until(async () => (await count(b.page)) === BACKLOG_NOTES, BULK_MS, "B received the backlog");
    const backlogMs = Date.now() - backOnline;
    out.push(fromSummaries({ suite, name: `${BACKLOG_NOTES}-note offline backlog: back online → on the other device`, unit: "ms" }, summarise([backlogMs])));
    step = "import and upload";

    // A fresh import of 10,000 notes on A: the local write, then its upload.
    const changesBefore = await changeCount(a.page);
    await a.page.evaluate(() => window.cobrain.client.trace(true));
    const importMs = await importFile(a.page, NOTES, "bulk");
    const importedAt = Date.now();
    await until(async () => (await syncState(a.page)) === "synced", BULK_MS, "A pushed the import", 50);
    const uploadMs = Date.now() - importedAt;
    const headAtUpload = await withTimeout(logStats(server.url, secret, user), STEP_MS, "log stats");
    const uploadMarks = await a.page.evaluate(() => window.cobrain.client.trace(false));
    const marked = (label: string) => uploadMarks.filter(([l]) => l === label).length;
    const pulls = spans(uploadMarks, "pull started", "changes pulled");
    const changes = (await changeCount(a.page)) - changesBefore;
    const total = await count(a.page);
    await until(async () => (await count(b.page)) === total, BULK_MS, "B received the import");
    // The import's copy: made by A once its upload was acknowledged (web/src/sync/accountCopy.ts).
    await accountCopyCovers(server.url, secret, user, headAtUpload.head, [a.page, b.page], STEP_MS);
    const copyMs = Date.now() - importedAt - uploadMs;
    out.push(fromSummaries({ suite, name: "A: its upload acknowledged → the account's copy stored, covering the import (made, sealed, uploaded; looked for every 100 ms)", unit: "ms" }, summarise([copyMs])));
    // The DO's own ingest of as many changes (batches of 1,000, stored and relayed), same run.
    const ingestRate = await withTimeout(ingest(server.url, secret, 1_000, Math.ceil(changes / 1_000) * 1_000), BULK_MS, "DO ingest");
    const ingestMs = (changes / ingestRate) * 1000;

    const one = (x: number): Summary => summarise([x]);
    out.push(
      fromSummaries({ suite, name: `import ${NOTES} notes on A (click Import → done)`, unit: "ms" }, one(importMs)),
      // B merges what arrives meanwhile, in its own browser on the same two cores as A and the
      // local Worker; the upload alone, with no other device online, is measured in the hidden-tab step.
      fromSummaries({ suite, name: `upload of that import (${changes} changes), B online and merging it on the same machine: done → server has all`, unit: "ms", baselineName: "DO ingest of as many changes, batches of 1,000" }, one(uploadMs), one(ingestMs)),
      fromSummaries({ suite, name: `upload: A reading its changes out and sealing them (${pulls.count} pulls), in all`, unit: "ms" }, one(pulls.ms)),
      fromSummaries({ suite, name: `upload: sends refused for a full socket buffer (the server reading slower), of ${marked("changes sent")} frames sent`, unit: "refusals" }, one(marked("send buffer full"))),
    );
    step = "edit latency";
    const at = (sorted: number[], q: number): Summary => ({ median: quantile(sorted, q), min: sorted[0]!, max: sorted.at(-1)!, n: sorted.length });
    const m = (name: string, ours: Summary, target?: string, unit = "ms") => fromSummaries({ suite, name, unit, target }, ours);
    const edit = await editLatency(a.page, b.page);
    const edits = sortedCopy(edit.totals);
    out.push(
      m(`edit on A → painted in B's list, ${total} notes on both, p50 (n=${EDIT_SAMPLES})`, at(edits, 0.5), "≤ 15 ms"),
      m(`edit on A → painted in B's list, ${total} notes on both, p95`, at(edits, 0.95), "≤ 30 ms"),
      ...EDIT_STAGES.flatMap((stage, s) => (edit.stages[s]!.length > 0 ? [m(`edit on A → B's list, stage: ${stage.name}, p50 (n=${edit.stages[s]!.length})`, at(sortedCopy(edit.stages[s]!), 0.5))] : [])),
    );
    step = "typing latency";
    const typing = sortedCopy(await typingLatency(a.page, b.page).catch((e) => (console.error("typing latency:", e), [])));

    if (typing.length > 0) out.push(m(`typing in A's editor: last keystroke → painted in B's list (autosave included), p50 (n=${typing.length})`, at(typing, 0.5)));
    step = "new device from the account's copy";
    const totalNow = await count(a.page);
    const copyBytes = (await serverCall(server.url, secret, user, "/api/snapshot")).byteLength;
    const fromCopy = await newDevice({ serverUrl: server.url, secret, user, deviceId: "c", key: a.key, totalNow, importMs, contexts, copy: true });
    out.push(fromSummaries({ suite, name: `new device from the account's copy: the sealed copy's size (${totalNow} notes, gzipped, then sealed)`, unit: "bytes" }, summarise([copyBytes])), ...fromCopy);
    step = "new device, change by change";
    // The same with no copy on the server: every change received, opened and merged.
    await contexts.pop()!.close(); // the device from the copy: no later check of its may offer a new one
    await serverCall(server.url, secret, user, "/api/snapshot", "DELETE");
    out.push(...(await newDevice({ serverUrl: server.url, secret, user, deviceId: "d", key: a.key, totalNow, importMs, contexts, copy: false })));
    step = "hidden tab upload";

    const background = await hiddenTabUpload(server.url, secret, NOTES, HIDDEN_TAB_RUNS, HIDDEN_TAB_MS).catch((e) => e as Error);

    const node = await nodeEditLatency(server.url, secret, NOTES).catch((e) => e as Error);

    if (node instanceof Error) out.push({ suite, name: "edit → applied on the other device, ours vs stock ws-client transport", unit: "", ours: Number.NaN, failed: node.message });
    else
      out.push(
        fromSummaries({ suite, name: `edit → applied on the other device (Node replicas, ${NOTES} notes each), ours, p50 (n=${node.ours.n})`, unit: "ms", baselineName: "stock @vlcn.io/ws-client WebSocketTransport, defaults" }, node.ours, node.stock),
      );
    const hiddenName = `import + upload of ${NOTES} notes from a tab hidden behind another (windowed Chromium on Xvfb, file chosen → server has all, ${HIDDEN_TAB_RUNS} fresh accounts)`;
    if (background instanceof Error) out.push({ suite, name: hiddenName, unit: "", ours: Number.NaN, failed: background.message });
    else {
      const tabChanges = background.shown[0]!.changes;
      const uploads = (runs: { uploadMs: number }[]) => summarise(runs.map((r) => r.uploadMs));
      out.push(
        fromSummaries(
          { suite, name: `upload of a fresh import of ${NOTES} notes (${tabChanges} changes), no other device online: import done → server has all (windowed Chromium, visible tab, ${HIDDEN_TAB_RUNS} fresh accounts)`, unit: "ms", baselineName: "DO ingest of as many changes, batches of 1,000", target: "≤ 1.5× DO ingest" },
          uploads(background.shown),
          one((tabChanges / ingestRate) * 1000),
        ),
        fromSummaries({ suite, name: "the same upload from a tab hidden behind another: import done → server has all", unit: "ms", baselineName: "the same from a visible tab, alternating", target: "≤ 2× visible" }, uploads(background.hidden), uploads(background.shown)),
        fromSummaries({ suite, name: hiddenName, unit: "ms", baselineName: "the same from a visible tab, alternating" }, summarise(background.hidden.map((r) => r.totalMs)), summarise(background.shown.map((r) => r.totalMs))),
      );
    }
  } catch (error) {
    // The figures measured before the stuck step stay in the report.
    out.push(failedMetric(suite, `(stopped at: ${step})`, error));
  } finally {
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
    await server.stop();
  }
  return out;
}
