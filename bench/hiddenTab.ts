/**
 * An import and its upload from a tab in the background, as when a phone switches apps, against
 * the same in the foreground. Headless Chromium keeps every tab visible, so this runs a windowed
 * Chromium on a virtual X display (Xvfb), where a tab behind another one is hidden and Chrome
 * throttles it as it does for a person. Playwright keeps pages visible even there, so it is driven
 * through puppeteer-core, with its switches that turn background throttling off taken out.
 * Each of the two runs is a fresh account on a fresh profile, so neither inherits the other's notes.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { CHROMIUM_FLAGS, CHROMIUM_PATH, freshProfileDir } from "../e2e/browser.ts";
import { browserPath, requiredBrowser } from "../scripts/lib/browsers.ts";
import { ROOT } from "../scripts/lib/localServer.ts";
import { mintToken } from "../worker/auth.ts";
import { until, withTimeout } from "./measure.ts";

/** Debian's xvfb package; its Xvfb sits beside xvfb-run. */
const XVFB_PATH = join(browserPath(requiredBrowser("xvfb")), "..", "Xvfb");
/** The switches puppeteer adds by default that would keep a background tab running at full speed. */
const KEEP_BACKGROUND_THROTTLING = ["--disable-background-timer-throttling", "--disable-renderer-backgrounding", "--disable-backgrounding-occluded-windows"];
const STEP_MS = 60_000;
/** Bound of an import and upload of 10,000 notes; a throttled tab may be slow, but not this slow. */
const UPLOAD_MS = 300_000;

/** A virtual X display for windowed browsers; `display` is its number. */
async function startXvfb(): Promise<{ display: string; stop(): void }> {
  // -displayfd: Xvfb picks a free display and writes its number on fd 3 once it is ready.
  const child: ChildProcess = spawn(XVFB_PATH, ["-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp"], { stdio: ["ignore", "ignore", "ignore", "pipe"] });
  const display = await withTimeout(
    new Promise<string>((resolve, reject) => {
      child.stdio[3]!.once("data", (data) => resolve(String(data).trim()));
      child.once("error", reject);
      child.once("exit", (code) => reject(new Error(`Xvfb exited (${code}) before it was ready`)));
    }),
    STEP_MS,
    "Xvfb ready",
  );
  return { display, stop: () => void child.kill() };
}

/** Text of a page's sync state, read from Node (a hidden page's own timers are throttled). */
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

/**
 * Signs in a new account on a fresh windowed Chromium, imports `notes` notes (in the background
 * behind another tab when `hidden`), and returns the ms from the import's confirm to the server
 * having acknowledged all of it.
 */
async function importAndUpload(display: string, url: string, secret: string, notes: number, hidden: boolean): Promise<number> {
  const profile = freshProfileDir();
  const browser: Browser = await puppeteer.launch({
    browser: "chrome",
    executablePath: CHROMIUM_PATH,
    headless: false,
    userDataDir: profile,
    args: CHROMIUM_FLAGS.filter((flag) => flag !== "--headless"),
    ignoreDefaultArgs: KEEP_BACKGROUND_THROTTLING,
    env: { ...process.env, DISPLAY: `:${display}` },
  });
  const file = join(ROOT, ".tmp", `bench-hidden-${process.pid}-${hidden ? "h" : "f"}.json`);
  try {
    const page = (await browser.pages())[0] ?? (await browser.newPage());
    const user = `bench-tab-${Date.now()}-${hidden ? "hidden" : "shown"}`;
    await page.goto(`${url}/#token=${await mintToken(secret, { userId: user, deviceId: "phone" })}`, { timeout: STEP_MS });
    await until(() => clickButton(page, /^Sign in as /), STEP_MS, "sign-in question answered", 50);
    await until(async () => (await syncState(page)) === "synced", STEP_MS, "signed in and synced", 50);
    if (hidden) {
      const other = await browser.newPage();
      await other.goto("about:blank");
      await other.bringToFront();
      await until(async () => (await page.evaluate(() => document.visibilityState)) === "hidden", STEP_MS, "the app's tab hidden behind another", 50);
    }
    const list = Array.from({ length: notes }, (_, i) => ({ title: `tab ${i}`, body: `Body of tab ${i}, about kyoto and budgets. `.repeat(3) }));
    writeFileSync(file, JSON.stringify(list));
    const input = await page.$('input[type="file"]');
    if (!input) throw new Error("no Import file input on the notes screen");
    await input.uploadFile(file);
    const started = Date.now();
    await until(() => clickButton(page, /^Import$/), STEP_MS, "import preview confirmed", 50);
    const done = `Imported ${notes.toLocaleString("en-US")} notes.`;
    await until(async () => (await page.evaluate((text) => document.body.textContent?.includes(text) ?? false, done)), UPLOAD_MS, "import done", 50);
    const importedAt = Date.now();
    // Synced, and last acknowledged after the import ended: the upload is on the server.
    await until(
      async () => page.evaluate((after) => { const s = window.cobrain.client.syncStatus; return s.state === "synced" && (s.lastSyncedAt ?? 0) >= after; }, importedAt),
      UPLOAD_MS,
      `upload from a ${hidden ? "hidden" : "visible"} tab acknowledged`,
      50,
    );
    if (hidden && (await page.evaluate(() => document.visibilityState)) !== "hidden") throw new Error("the app's tab came to the front during the upload");
    return Date.now() - started;
  } finally {
    await browser.close().catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
    rmSync(file, { force: true });
  }
}

/**
 * Import + upload of `notes` notes, `runs` times from a visible tab and as many from a hidden one,
 * alternating (each a fresh account), in ms.
 */
export async function hiddenTabUpload(url: string, secret: string, notes: number, runs: number): Promise<{ shownMs: number[]; hiddenMs: number[] }> {
  const xvfb = await startXvfb();
  const shownMs: number[] = [];
  const hiddenMs: number[] = [];
  try {
    for (let run = 0; run < runs; run++) {
      shownMs.push(await importAndUpload(xvfb.display, url, secret, notes, false));
      hiddenMs.push(await importAndUpload(xvfb.display, url, secret, notes, true));
    }
    return { shownMs, hiddenMs };
  } finally {
    xvfb.stop();
  }
}
