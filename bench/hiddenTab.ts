/**
 * An import and its upload from a tab in the background, as when a phone switches apps, against
 * the same in the foreground. Headless Chromium keeps every tab visible, so this runs a windowed
 * Chromium on a virtual X display (Xvfb), where a tab behind another one is hidden and Chrome
 * throttles it as it does for a person. Playwright keeps pages visible even there, so it is driven
 * through puppeteer-core, with its switches that turn background throttling off taken out.
 * Each run is a fresh account on a fresh profile, so none inherits another's notes.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { CHROMIUM_FLAGS, CHROMIUM_PATH, freshProfileDir } from "../e2e/browser.ts";
import { browserPath, requiredBrowser } from "../scripts/lib/browsers.ts";
import { ROOT } from "../scripts/lib/localServer.ts";
import { mintToken } from "../worker/auth.ts";
import { StepTimeout, until, withTimeout } from "./measure.ts";
import { benchNotes } from "./noteFile.ts";

/** Debian's xvfb package puts Xvfb beside xvfb-run; XVFB_PATH overrides. */
const XVFB_PATH = process.env.XVFB_PATH ?? join(dirname(browserPath(requiredBrowser("xvfb"))), "Xvfb");
/** The switches puppeteer adds by default that would keep a background tab running at full speed. */
const KEEP_BACKGROUND_THROTTLING = ["--disable-background-timer-throttling", "--disable-renderer-backgrounding", "--disable-backgrounding-occluded-windows"];
/** Bound of one step that is not the import and upload (Xvfb's start, a sign-in, a browser's close). */
const STEP_MS = 60_000;

/** A virtual X display for windowed browsers; `display` is its number. Stopped at `stop()` or when this process exits. */
async function startXvfb(): Promise<{ display: string; stop(): void }> {
  // -displayfd: Xvfb picks a free display and writes its number on fd 3 once it is ready.
  const child: ChildProcess = spawn(XVFB_PATH, ["-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp"], { stdio: ["ignore", "ignore", "ignore", "pipe"] });
  const stop = () => {
    process.off("exit", stop);
    if (child.exitCode === null) child.kill();
  };
  // A suite timeout ends the run with process.exit, past every finally: the display goes with it.
  process.on("exit", stop);
  try {
    const display = await withTimeout(
      new Promise<string>((resolve, reject) => {
        child.stdio[3]!.once("data", (data) => resolve(String(data).trim()));
        child.once("error", reject);
        child.once("exit", (code) => reject(new Error(`Xvfb exited (${code}) before it was ready`)));
      }),
      STEP_MS,
      "Xvfb ready",
    );
    return { display, stop };
  } catch (error) {
    stop();
    throw error;
  }
}

/** A page's sync state, read from Node (a hidden page's own timers are throttled). */
const syncState = (page: Page) => page.evaluate(() => document.querySelector(".sync-indicator")?.getAttribute("data-sync-state") ?? null);

/** Clicks a dialog's button whose text matches (a DOM click: a hidden tab takes no pointer input); false if there is none yet. */
async function clickButton(page: Page, text: RegExp): Promise<boolean> {
  return page.evaluate((source) => {
    const pattern = new RegExp(source);
    const button = [...document.querySelectorAll<HTMLButtonElement>("[role=dialog] button")].find((b) => pattern.test(b.textContent?.trim() ?? ""));
    button?.click();
    return button !== undefined;
  }, text.source);
}

/** Closes a browser within STEP_MS, or kills it. */
async function closeBrowser(browser: Browser): Promise<void> {
  await withTimeout(browser.close(), STEP_MS, "windowed Chromium closed").catch(() => browser.process()?.kill("SIGKILL"));
}

/** One import and its upload, in ms: from the file chosen, and from the import done, to the server having all of it. */
interface Uploaded {
  totalMs: number;
  uploadMs: number;
  /** The changes the upload carried (every change of the account: the device is its only one). */
  changes: number;
}

/**
 * Signs in a new account on a fresh windowed Chromium and imports `notes` notes (in the background
 * behind another tab when `hidden`); no other device of the account is online. Every wait ends by
 * `deadline` (ms since the epoch).
 */
async function importAndUpload(display: string, url: string, secret: string, notes: number, hidden: boolean, deadline: number): Promise<Uploaded> {
  const left = (bound: number) => {
    const ms = Math.min(bound, deadline - Date.now());
    if (ms <= 0) throw new StepTimeout(`hidden-tab upload: out of its ${hidden ? "hidden" : "visible"} run's time`);
    return ms;
  };
  const profile = freshProfileDir();
  const file = join(ROOT, ".tmp", `bench-hidden-${process.pid}-${hidden ? "h" : "v"}.json`);
  const browser: Browser = await withTimeout(
    puppeteer.launch({
      browser: "chrome",
      executablePath: CHROMIUM_PATH,
      headless: false,
      userDataDir: profile,
      args: CHROMIUM_FLAGS.filter((flag) => flag !== "--headless"),
      ignoreDefaultArgs: KEEP_BACKGROUND_THROTTLING,
      env: { ...process.env, DISPLAY: `:${display}` },
      timeout: STEP_MS,
    }),
    left(STEP_MS),
    "windowed Chromium started",
  );
  try {
    const page = (await browser.pages())[0] ?? (await browser.newPage());
    const user = `bench-tab-${Date.now()}-${hidden ? "hidden" : "shown"}`;
    await page.goto(`${url}/#token=${await mintToken(secret, { userId: user, deviceId: "phone" })}`, { timeout: left(STEP_MS) });
    await until(() => clickButton(page, /^Sign in as /), left(STEP_MS), "sign-in question answered", 50);
    await until(async () => (await syncState(page)) === "synced", left(STEP_MS), "signed in and synced", 50);
    if (hidden) {
      const other = await browser.newPage();
      await other.goto("about:blank");
      await other.bringToFront();
      await until(async () => (await page.evaluate(() => document.visibilityState)) === "hidden", left(STEP_MS), "the app's tab hidden behind another", 50);
    }
    writeFileSync(file, JSON.stringify(benchNotes(notes, "tab")));
    const input = await page.$('input[type="file"]');
    if (!input) throw new Error("no Import file input on the notes screen");
    const started = Date.now();
    await input.uploadFile(file);
    await until(() => clickButton(page, /^Import$/), left(STEP_MS), "import preview confirmed", 50);
    const done = `Imported ${notes.toLocaleString("en-US")} notes.`;
    await until(() => page.evaluate((text) => document.body.textContent?.includes(text) ?? false, done), left(Infinity), "import done", 50);
    const importedAt = Date.now();
    // Synced, and last acknowledged after the import ended: the upload is on the server.
    await until(
      () => page.evaluate((after) => { const s = window.cobrain.client.syncStatus; return s.state === "synced" && (s.lastSyncedAt ?? 0) >= after; }, importedAt),
      left(Infinity),
      `upload from a ${hidden ? "hidden" : "visible"} tab acknowledged`,
      50,
    );
    const ackedAt = Date.now();
    if (hidden && (await page.evaluate(() => document.visibilityState)) !== "hidden") throw new Error("the app's tab came to the front during the upload");
    const changes = Number(((await page.evaluate(() => window.cobrain.sql("SELECT count(*) FROM crsql_changes"))) as number[][])[0]![0]);
    return { totalMs: ackedAt - started, uploadMs: ackedAt - importedAt, changes };
  } finally {
    await closeBrowser(browser);
    rmSync(profile, { recursive: true, force: true });
    rmSync(file, { force: true });
  }
}

/**
 * Import + upload of `notes` notes, `runs` times from a visible tab and as many from a hidden one,
 * alternating (each a fresh account); the whole within `budgetMs`.
 */
export async function hiddenTabUpload(url: string, secret: string, notes: number, runs: number, budgetMs: number): Promise<{ shown: Uploaded[]; hidden: Uploaded[] }> {
  const deadline = Date.now() + budgetMs;
  const xvfb = await startXvfb();
  const shown: Uploaded[] = [];
  const hidden: Uploaded[] = [];
  try {
    for (let run = 0; run < runs; run++) {
      shown.push(await importAndUpload(xvfb.display, url, secret, notes, false, deadline));
      hidden.push(await importAndUpload(xvfb.display, url, secret, notes, true, deadline));
    }
    return { shown, hidden };
  } finally {
    xvfb.stop();
  }
}
