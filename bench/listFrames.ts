/**
 * The list at phone size (issue 15): frames while scrolling 10,000 notes from top to bottom, and
 * opening a note from the list to its rendered Markdown body. Runs in the built app, in a Chromium
 * emulating a phone (390×844 CSS px, device scale factor 3, mobile, touch), on a profile that
 * already holds the notes.
 */
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from "../e2e/browser.ts";
import { frameStats, type FrameStats } from "./frames.ts";
import { quantile, sortedCopy, withTimeout } from "./measure.ts";

export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true };
/** About a fast flick on a phone: ~2.4 rows per frame (the compositor scrolls; the page renders the rows). */
const SCROLL_PX_PER_S = 10_000;
/** Notes opened for the open latency (different ones, spread over the list), after one warm-up. */
export const OPENS = 30;
const STEP_MS = 120_000;
const APP_MS = 60_000;
/** The whole top-to-bottom scroll of 10,000 rows at SCROLL_PX_PER_S takes ~70 s on a quiet machine. */
const SCROLL_MS = 400_000;

/** The app's profile again, as a phone. */
export function launchPhone(profileDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS, ...PHONE });
}

// Strings, not functions: tsx would wrap named inner functions in a helper the page lacks.
/** Records the time between animation frames until `window.__frames.stop()`. */
const START_FRAMES = `(() => {
  const deltas = [];
  let last;
  let on = true;
  const tick = (t) => {
    if (!on) return;
    if (last !== undefined) deltas.push(t - last);
    last = t;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  window.__frames = { stop: () => ((on = false), deltas) };
})()`;

/**
 * Scrolls `selector` from top to bottom with Chrome's synthetic scroll gestures at a steady speed
 * and returns the frame times. The gestures are wheel ones: in this headless Chromium a synthetic
 * *touch* gesture did not move the list (touch events sent one by one did, but at the pace of
 * DevTools round trips, not at a steady speed). Both scroll on the compositor thread.
 */
async function scrollToBottom(page: Page, selector: string): Promise<number[]> {
  const box = await page.locator(selector).boundingBox();
  if (!box) throw new Error(`${selector} is not on screen`);
  const cdp = await page.context().newCDPSession(page);
  const atBottom = () => page.$eval(selector, (el) => el.scrollTop + el.clientHeight >= el.scrollHeight - 2);
  await page.$eval(selector, (el) => el.scrollTo(0, 0));
  await page.evaluate(START_FRAMES);
  // Each gesture asks for the rest of the way (row heights are estimates until measured), so the
  // scroll is one steady movement with few pauses between gestures.
  const scroll = async () => {
    while (!(await atBottom())) {
      const rest = await page.$eval(selector, (el) => el.scrollHeight - el.clientHeight - el.scrollTop);
      await cdp.send("Input.synthesizeScrollGesture", {
        x: Math.round(box.x + box.width / 2),
        y: Math.round(box.y + Math.min(box.height, PHONE.viewport.height - box.y) / 2),
        yDistance: -Math.ceil(rest + 1),
        speed: SCROLL_PX_PER_S,
        gestureSourceType: "mouse",
      });
    }
  };
  try {
    await withTimeout(scroll(), SCROLL_MS, `scrolling ${selector} to the bottom`);
    return await page.evaluate<number[]>("window.__frames.stop()");
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

/** The app's virtual list of `notes` notes, scrolled top to bottom. */
export async function scrollNoteList(page: Page, notes: number): Promise<FrameStats> {
  await page.locator(`.note-scroller[data-count="${notes}"]`).waitFor({ timeout: STEP_MS });
  const stats = frameStats(await scrollToBottom(page, ".note-scroller"));
  // It really went to the end: the last note's row is in the page.
  await page.locator(`.note-scroller li[aria-posinset="${notes}"]`).waitFor({ timeout: STEP_MS });
  return stats;
}

/**
 * The baseline: rows like NoteRow's (its markup and classes, so the same styles) written statically into a
 * scroller of the same size laid over the app, all `rows` of them at once, no virtualisation.
 */
export async function scrollStaticList(page: Page, rows: number): Promise<FrameStats> {
  await page.evaluate(
    `(() => {
      const box = document.querySelector(".note-scroller").getBoundingClientRect();
      const scroller = document.createElement("div");
      scroller.id = "static-scroller";
      scroller.style.cssText = "position:fixed;overflow-y:auto;z-index:1000;background:var(--bg, #fff);left:" + box.left + "px;top:" + box.top + "px;width:" + box.width + "px;height:" + box.height + "px";
      const list = document.createElement("ul");
      list.className = "note-list";
      const rowsHtml = [];
      for (let i = 0; i < ${rows}; i++) {
        rowsHtml.push('<li class="note"><button type="button" class="note-open"><span class="note-line"><span class="note-title">Static note ' + i + '</span><time class="note-time muted">2 hours ago</time></span><span class="note-line"><span class="note-snippet muted">' + ("Notes about travel and budget, item " + i + ". ").repeat(3) + '</span></span></button></li>');
      }
      list.innerHTML = rowsHtml.join("");
      scroller.append(list);
      document.body.append(scroller);
    })()`,
  );
  try {
    const stats = frameStats(await scrollToBottom(page, "#static-scroller"));
    return stats;
  } finally {
    await page.evaluate(`document.getElementById("static-scroller")?.remove()`);
  }
}

/**
 * Click on a row → the note's body rendered as Markdown (the read view, which the device
 * remembers), timed inside the page from the click to the first frame showing the note's unique
 * words (`uniqueText` of its title). Each sample opens a different note, spread over the list
 * (a row on screen after a jump to the next fraction of it), and goes back to the list first.
 */
export async function openNoteLatency(page: Page, uniqueText: (title: string) => string, opens = OPENS): Promise<{ p50: number; p95: number; min: number; max: number }> {
  await page.evaluate(`localStorage.setItem("cobrain.bodyMode", "read")`);
  const samples: number[] = [];
  for (let i = 0; i <= opens; i++) {
    const ms = await withTimeout(openOne(page, (i + 0.5) / (opens + 1), uniqueText), STEP_MS, `opening note ${i}`);
    if (i > 0) samples.push(ms); // the first open loads the editor and Markdown code: a warm-up
    await page.goBack({ timeout: STEP_MS });
    await page.locator(".note-scroller").waitFor({ state: "visible", timeout: STEP_MS });
  }
  const sorted = sortedCopy(samples);
  return { p50: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), min: sorted[0]!, max: sorted.at(-1)! };
}

/** Scrolls the list to `fraction` of its height, clicks a loaded row on screen, and returns ms from the click to its body rendered. */
async function openOne(page: Page, fraction: number, uniqueText: (title: string) => string): Promise<number> {
  await page.$eval(".note-scroller", (el, f) => el.scrollTo(0, f * (el.scrollHeight - el.clientHeight)), fraction);
  let index = -1;
  for (let tries = 0; index < 0; tries++) {
    if (tries > 300) throw new Error(`no loaded row came on screen at ${Math.round(fraction * 100)}% of the list`);
    // The middle loaded row inside both the scroller and the window (rows load a window at a time).
    index = await page.$eval(".note-scroller", (el) => {
      const box = el.getBoundingClientRect();
      const bottom = Math.min(box.bottom, window.innerHeight);
      const shown = [...el.querySelectorAll("button.note-open")].filter((b) => {
        const r = b.getBoundingClientRect();
        return r.top >= box.top && r.bottom <= bottom;
      });
      const middle = shown[Math.floor(shown.length / 2)];
      return middle ? Number(middle.getAttribute("data-index")) : -1;
    });
    if (index < 0) await page.waitForTimeout(50);
  }
  const button = `.note-scroller button.note-open[data-index="${index}"]`;
  const title = await page.locator(`${button} .note-title`).textContent({ timeout: STEP_MS });
  if (!title) throw new Error(`row ${index} has no title`);
  // A string, not a function (see START_FRAMES); JSON.stringify quotes the values.
  return page.evaluate<number>(`new Promise((resolve) => {
    const button = document.querySelector(${JSON.stringify(button)});
    const words = ${JSON.stringify(uniqueText(title))};
    const t0 = performance.now();
    button.click();
    const check = () => {
      const body = document.querySelector("article.markdown");
      if (body && body.textContent.includes(words)) resolve(performance.now() - t0);
      else requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  })`);
}

/**
 * The phone figures on `profileDir`, which already holds `notes` notes; `uniqueText` as in
 * openNoteLatency. `staticBaseline` adds the static list's scroll (another ~75 s of scrolling).
 */
export async function phoneList(url: string, profileDir: string, notes: number, uniqueText: (title: string) => string, staticBaseline: boolean) {
  const context = await launchPhone(profileDir);
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(url, { timeout: STEP_MS });
    await page.locator(".app[data-storage]").waitFor({ timeout: APP_MS });
    const list = await scrollNoteList(page, notes);
    const plain = staticBaseline ? await scrollStaticList(page, notes) : undefined;
    const open = await openNoteLatency(page, uniqueText);
    return { list, plain, open };
  } finally {
    await context.close();
  }
}
