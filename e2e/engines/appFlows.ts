/**
 * The app's core actions on an engine device. Elements are found by their accessible label, a
 * button's name or a note's text, never by layout classes, so the tests survive UI changes.
 */
import { expect } from "vitest";
import { mintToken } from "../../worker/auth.ts";
import type { ExportedAccountKey } from "../../web/src/db/protocol.ts";
import type { EngineDevice } from "./driver.ts";

/** How long the app may take to open its database on a busy machine (WebKit's IndexedDB is the slowest). */
const OPEN_TIMEOUT_MS = 60_000;
/** Sync between two browsers through the local Worker, with other tests sharing two cores. */
const SYNC_TIMEOUT_MS = 30_000;

export type Target =
  /** An input or textarea by its label (`<label for>`, `aria-label` or `aria-labelledby`). */
  | { label: string }
  /** A button or link by its accessible name; `within` narrows it to a container (CSS). */
  | { button: string | RegExp; within?: string }
  /** The innermost visible element whose whole text is this (a note in the list). */
  | { text: string };

type PageTarget = { label?: string; button?: { source: string; flags: string }; within?: string; text?: string };

/**
 * Finds the target in the page and tags it with a unique data attribute, returning a CSS selector
 * for it. Hand-written because the three automation stacks share no locator by label or role
 * (WebDriver classic has none); it covers only the few ways this app names its controls.
 */
function tagInPage(t: PageTarget): string | null {
  const norm = (s: string | null | undefined) => (s ?? "").replace(/\s+/g, " ").trim();
  const visible = (el: Element) => el.getClientRects().length > 0;
  const root = t.within ? document.querySelector(t.within) : document;
  if (!root) return null;
  const found: Element[] = [];
  if (t.label !== undefined) {
    for (const el of root.querySelectorAll<HTMLInputElement>("input, textarea, select, [contenteditable=true], [role=textbox]")) {
      const names = [el.getAttribute("aria-label"), ...Array.from(el.labels ?? [], (l) => l.textContent)];
      for (const id of (el.getAttribute("aria-labelledby") ?? "").split(/\s+/).filter(Boolean)) names.push(document.getElementById(id)?.textContent ?? null);
      if (names.some((n) => norm(n) === t.label)) found.push(el);
    }
  }
  if (t.button) {
    const name = new RegExp(t.button.source, t.button.flags);
    for (const el of root.querySelectorAll("button, [role=button], a[href], [role=link], [role=tab]")) {
      if (name.test(norm(el.getAttribute("aria-label") ?? el.textContent))) found.push(el);
    }
  }
  if (t.text !== undefined) {
    for (const el of root.querySelectorAll("body *")) {
      if (norm(el.textContent) === t.text && !Array.from(el.children).some((c) => norm(c.textContent) === t.text)) found.push(el);
    }
  }
  const el = found.find(visible);
  if (!el) return null;
  const id = `t${Math.random().toString(36).slice(2)}`;
  el.setAttribute("data-e2e-target", id);
  return `[data-e2e-target="${id}"]`;
}

function toPageTarget(target: Target): PageTarget {
  if ("button" in target) {
    const re = typeof target.button === "string" ? new RegExp(`^${target.button.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`) : target.button;
    return { button: { source: re.source, flags: re.flags }, within: target.within };
  }
  return target;
}

/** Waits until the target is on screen; returns a CSS selector for it. */
export async function find(device: EngineDevice, target: Target, timeout = 15_000): Promise<string> {
  let css: string | null = null;
  await expect.poll(async () => (css = await device.evaluate(tagInPage, toPageTarget(target))), { timeout, message: `${device.engine}: ${JSON.stringify(target)} not found` }).not.toBeNull();
  return css!;
}

/** Finding and acting are two round trips: a live query may replace the element in between. */
const STALE_RETRIES = 5;

async function act(device: EngineDevice, target: Target, action: (css: string) => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const css = await find(device, target);
    try {
      return await action(css);
    } catch (e) {
      const gone = !(await device.evaluate((c) => document.querySelector(c) !== null, css));
      if (!gone || attempt >= STALE_RETRIES) throw e;
    }
  }
}

export function click(device: EngineDevice, target: Target): Promise<void> {
  return act(device, target, (css) => device.click(css));
}

export function type(device: EngineDevice, target: Target, text: string): Promise<void> {
  return act(device, target, (css) => device.type(css, text));
}

/** The page's visible text (input values excluded). */
export function screenText(device: EngineDevice): Promise<string> {
  return device.evaluate(() => document.body.innerText);
}

export async function waitForText(device: EngineDevice, text: string, timeout = SYNC_TIMEOUT_MS): Promise<void> {
  await expect.poll(() => screenText(device), { timeout, message: `${device.engine}: "${text}" never showed` }).toContain(text);
}

/** Which storage the app chose (`opfs`, `idb`, `memory`), once its database is open. */
export function storageOf(device: EngineDevice): Promise<string | null> {
  return device.evaluate(() => document.querySelector("[data-storage]")?.getAttribute("data-storage") ?? null);
}

/** Opens the app and waits until its database is open (or it says why not). */
export async function openApp(device: EngineDevice, url: string): Promise<void> {
  await device.goto(url);
  await waitForOpen(device);
}

export async function waitForOpen(device: EngineDevice): Promise<void> {
  const state = () => device.evaluate(() => (document.querySelector("[data-storage]") ? "open" : document.querySelector(".banner-error")?.textContent ?? null));
  const opened = () => expect.poll(state, { timeout: OPEN_TIMEOUT_MS, message: `${device.engine}: the app did not open` }).toBe("open");
  try {
    await opened();
  } catch (error) {
    // The page just replaced can still hold IndexedDB; the app says so and asks for a reload. Do
    // what it says once, as a person would, and say so in the output; a second refusal fails.
    if (!/could not start writing/.test(String(await state()))) throw error;
    console.log(`${device.engine}: "${await state()}" — reloading once, as the app asks`);
    await device.reload();
    await opened();
  }
}

/** Rows of a query on the device's own database (the console API); integers come back as numbers. */
export function sql(device: EngineDevice, query: string, params: (string | number)[] = []): Promise<unknown[][]> {
  return device.evaluate(
    async ({ query, params }) => {
      const rows = await window.cobrain.sql(query, params);
      return rows.map((row) => row.map((v) => (typeof v === "bigint" ? Number(v) : v instanceof Uint8Array ? Array.from(v) : v)));
    },
    { query, params },
  );
}

export async function addNote(device: EngineDevice, title: string): Promise<void> {
  await type(device, { label: "New note" }, title);
  await click(device, { button: "Add note" });
  await waitForText(device, title);
}

/** Opens a note from the list and waits until the editor holds it. */
export async function openNote(device: EngineDevice, title: string): Promise<void> {
  await click(device, { text: title });
  const titleField = await find(device, { label: "Title" });
  await expect.poll(() => device.evaluate((css) => document.querySelector<HTMLInputElement>(css)?.value ?? null, titleField)).toBe(title);
}

/** A note's title and body as the device's database holds them. */
export function noteRows(device: EngineDevice, title: string): Promise<unknown[][]> {
  return sql(device, "SELECT title, body FROM notes WHERE title = ?", [title]);
}

/**
 * Signs a new device of `userId` in through a sign-in link, as `npm run token` prints, and waits
 * until synced. Notes are encrypted end to end: a later device of the account is handed the
 * account key the first one made (as the QR link or recovery phrase would); returns the key.
 */
export async function signIn(device: EngineDevice, baseUrl: string, authSecret: string, userId: string, deviceId: string, key?: ExportedAccountKey): Promise<ExportedAccountKey | undefined> {
  const token = await mintToken(authSecret, { userId, deviceId });
  await openApp(device, `${baseUrl}/#token=${token}`);
  if (key) await device.evaluate((k) => window.cobrain.client.adoptAccountKey(k), key);
  await click(device, { button: /^Sign in as /, within: "[role=dialog]" });
  await waitForSync(device, "synced");
  return (await device.evaluate(() => window.cobrain.client.exportAccountKey())) ?? undefined;
}

export async function waitForSync(device: EngineDevice, state: string): Promise<void> {
  const shown = () => device.evaluate((s) => document.querySelector(`[data-sync-state="${s}"]`) !== null, state);
  await expect.poll(shown, { timeout: SYNC_TIMEOUT_MS, message: `${device.engine}: sync never reached ${state}` }).toBe(true);
}
