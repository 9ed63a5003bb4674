/** Page helpers for the minimal notes screen. */
import { expect } from "vitest";
import type { Page } from "playwright-core";
import { mintToken } from "../worker/auth";
import type { ExportedAccountKey } from "../web/src/db/protocol";

export async function openApp(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForSelector(".app[data-storage], .banner-error", { timeout: 30_000 });
}

/** Shows the Notes section (where the list and the new-note field are). */
export async function showNotes(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Notes", exact: true }).click();
}

export async function addNote(page: Page, title: string): Promise<void> {
  await showNotes(page);
  await page.getByLabel("New note").fill(title);
  await page.getByRole("button", { name: "Add note" }).click();
  await waitForNote(page, title);
}

export async function waitForNote(page: Page, title: string, timeout = 10_000): Promise<void> {
  await page.locator(".note-title", { hasText: title }).first().waitFor({ timeout });
}

export async function noteTitles(page: Page): Promise<string[]> {
  return page.locator(".note-title").allTextContents();
}

export async function storageOf(page: Page): Promise<string | null> {
  return page.locator(".app").getAttribute("data-storage");
}

/** The list shows exactly these titles (waits for live queries to settle). */
export async function expectTitles(page: Page, titles: string[]): Promise<void> {
  // A failure also says what the list pane showed instead (an error, "opening", an empty message).
  const pane = async () => (await page.locator(".list-pane").allInnerTexts()).join(" | ").replace(/\s+/g, " ").slice(0, 300);
  await expect
    .poll(async () => (await noteTitles(page)).sort(), { timeout: 10_000 })
    .toEqual([...titles].sort())
    .catch(async (error: Error) => {
      throw new Error(`${error.message}\nthe list pane showed: ${await pane()}`);
    });
}

/** The account key of each user a test signed in (by server and user): the first device made it. */
const accountKeys = new Map<string, ExportedAccountKey>();

/**
 * Opens the app on a new device of `userId`, signed in through a sign-in link, and waits until
 * synced. The user's first device creates the account key; later ones are handed it first (as the
 * recovery phrase or QR link would: notes are encrypted end to end, issue 14).
 */
export async function signedInDevice(page: Page, baseUrl: string, authSecret: string, userId: string, deviceId: string): Promise<void> {
  const token = await mintToken(authSecret, { userId, deviceId });
  const known = accountKeys.get(`${baseUrl} ${userId}`);
  await openSignInLink(page, `${baseUrl}/#token=${token}`, known && ((p) => handAccountKey(p, known)));
  await waitForSync(page, "synced");
  if (!known) {
    const key = await page.evaluate(() => window.cobrain.client.exportAccountKey());
    if (key) accountKeys.set(`${baseUrl} ${userId}`, key);
  }
}

/**
 * Waits for the copy of the account's database that a device stores after a large sync
 * (web/src/sync/accountCopy.ts), then removes it from the server: a new device then receives the
 * log change by change, the path a test of that path needs.
 */
export async function removeAccountCopy(baseUrl: string, authSecret: string, userId: string): Promise<void> {
  const token = await mintToken(authSecret, { userId, deviceId: "test-observer" });
  const call = (method: string, path: string) => fetch(`${baseUrl}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
  await expect.poll(async () => ((await (await call("GET", "/api/log/stats")).json()) as { snapshotSeq: number | null }).snapshotSeq, { timeout: 60_000 }).toEqual(expect.any(Number));
  expect(await (await call("DELETE", "/api/snapshot")).json()).toEqual({ deleted: true });
}

/** Gives the page's device an account key, as the recovery phrase or QR link would. */
export async function handAccountKey(page: Page, key: ExportedAccountKey): Promise<void> {
  await page.evaluate((k) => window.cobrain.client.adoptAccountKey(k), key);
}

/** The account secret a test's first device of `userId` made (see signedInDevice). */
export function accountSecretOf(baseUrl: string, userId: string): Uint8Array | undefined {
  const known = accountKeys.get(`${baseUrl} ${userId}`);
  return known && Uint8Array.from(known.secret.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

/** Opens a sign-in or link-code link and answers its question with "Sign in as …". */
export async function openSignInLink(page: Page, link: string, beforeAnswer?: (page: Page) => Promise<void>): Promise<void> {
  await page.goto(link);
  await page.waitForSelector(".app[data-storage]", { timeout: 30_000 });
  await beforeAnswer?.(page);
  await page.getByRole("dialog").getByRole("button", { name: /^Sign in as / }).click({ timeout: 30_000 });
}

export async function waitForSync(page: Page, state: string, timeout = 30_000): Promise<void> {
  await page.locator(`.sync-indicator[data-sync-state="${state}"]`).waitFor({ timeout });
}

/** Keeps, in `window.__syncTexts`, each text the sync indicator shows from now on (the current one first). */
const RECORD_SYNC_TEXTS = `window.__syncTexts = []; { const record = () => { const text = document.querySelector(".sync-indicator")?.textContent; if (text && window.__syncTexts.at(-1) !== text) window.__syncTexts.push(text); }; record(); new MutationObserver(record).observe(document, { subtree: true, childList: true, characterData: true }); }`;

/** Records every text the sync indicator shows from the page's next start on (read with `syncTexts`). */
export async function watchSyncTexts(page: Page): Promise<void> {
  await page.addInitScript({ content: RECORD_SYNC_TEXTS });
}

/** Records every text the sync indicator shows from now on, the one it shows now first (read with `syncTexts`). */
export async function recordSyncTexts(page: Page): Promise<void> {
  await page.evaluate(RECORD_SYNC_TEXTS);
}

export function syncTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __syncTexts: string[] }).__syncTexts);
}

/** Rows of a query on the page's own database (through the console API). */
export function sql(page: Page, query: string, params: unknown[] = []): Promise<unknown[][]> {
  return page.evaluate(([q, p]) => window.cobrain.sql(q as string, p as never), [query, params] as const);
}

/** Every note as the device holds it, for comparing devices. */
export function notesSnapshot(page: Page): Promise<unknown[][]> {
  return sql(page, "SELECT id, title, body, pinned FROM notes ORDER BY id");
}

/** Clicks on a row that moves meanwhile: the list is sorted by edit time, so a save elsewhere reorders it. */
const OPEN_NOTE_ATTEMPTS = 3;

/** Opens a note from the list on screen and waits until the editor shows that note. */
export async function openNote(page: Page, title: string): Promise<void> {
  const exact = new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
  const shown = () => page.getByLabel("Title", { exact: true }).inputValue().catch(() => undefined);
  for (let attempt = 1; ; attempt++) {
    await page.locator(".note-open").filter({ has: page.locator(".note-title", { hasText: exact }) }).first().click();
    try {
      await expect.poll(shown, { timeout: 10_000 }).toBe(title);
      return;
    } catch (error) {
      if (attempt === OPEN_NOTE_ATTEMPTS) throw error;
    }
  }
}

/**
 * After a file is chosen in Import: waits for the preview (or a refusal before it), and confirms.
 * Returns the preview's text, or undefined when the file was refused without one.
 */
export async function confirmImport(page: Page, timeout = 60_000): Promise<string | undefined> {
  const dialog = page.getByRole("dialog", { name: /^Import / });
  const refused = page.locator(".import [role=status]", { hasText: /^Nothing imported/ });
  try {
    await dialog.or(refused).first().waitFor({ timeout });
  } catch (error) {
    // Say where it stopped: still reading the file, or no status at all (the file never arrived).
    const status = await page.locator(".import [role=status]").allTextContents();
    const app = await page.locator(".app").getAttribute("data-role").catch(() => null);
    throw new Error(`no import preview within ${timeout} ms; import status ${JSON.stringify(status)}, database role ${app}`, { cause: error });
  }
  if (!(await dialog.isVisible())) return undefined;
  const text = (await dialog.textContent()) ?? "";
  await dialog.getByRole("button", { name: "Import", exact: true }).click();
  return text;
}
