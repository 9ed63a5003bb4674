/**
 * Moments a page reaches, timed by the page itself: Playwright's own waits poll, and once a wait
 * is long they poll every 500 ms, which made a new device's "app ready" and "first notes painted"
 * up to half a second late (probed: the app's status was drawn 0.3–0.5 s before
 * `waitForSelector` returned).
 */
import type { Page } from "playwright-core";
import { withTimeout } from "./measure.ts";

/** What the page watches for: the selector whose first appearance is the moment. */
export const MILESTONES = {
  /** The database opened: the app shows which storage holds the notes. */
  "app ready": ".app[data-storage]",
  /** The first note title in the list. */
  "first note": ".note-title",
} as const;

export type Milestone = keyof typeof MILESTONES;

declare global {
  interface Window {
    __milestones?: Partial<Record<Milestone, number>>;
  }
}

/**
 * Records each milestone in the page at the animation frame after its element appears (the frame
 * that paints it), in wall-clock milliseconds (`performance.timeOrigin + now()`), so it compares
 * with `Date.now()` here. Call before the page navigates.
 */
export async function watchMilestones(page: Page): Promise<void> {
  await page.addInitScript((milestones: Record<string, string>) => {
    const seen: Record<string, number> = {};
    window.__milestones = seen;
    const observer = new MutationObserver(() => {
      for (const [name, selector] of Object.entries(milestones)) {
        if (name in seen || !document.querySelector(selector)) continue;
        seen[name] = Number.NaN; // found; the frame that paints it gives the time
        requestAnimationFrame(() => (seen[name] = performance.timeOrigin + performance.now()));
      }
      if (Object.keys(seen).length === Object.keys(milestones).length) observer.disconnect();
    });
    observer.observe(document, { subtree: true, childList: true, attributes: true });
  }, MILESTONES);
}

/** The wall-clock time at which `page` painted `milestone`, waiting up to `timeoutMs` for it. */
export async function milestoneAt(page: Page, milestone: Milestone, timeoutMs: number): Promise<number> {
  const at = await withTimeout(
    page.waitForFunction((name) => (Number.isFinite(window.__milestones?.[name]) ? window.__milestones![name] : false), milestone, { timeout: timeoutMs, polling: 100 }),
    timeoutMs + 1_000,
    `the page reaches "${milestone}"`,
  );
  return (await at.jsonValue()) as number;
}
