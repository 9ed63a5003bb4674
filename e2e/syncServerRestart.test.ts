/** Devices stay open while the sync server goes down and comes back: they reconnect and converge. */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { addNote, notesSnapshot, recordSyncTexts, signedInDevice, sql, syncTexts, waitForNote, waitForSync } from "./app";
import { launchBrowser } from "./browser";
import { RestartableServer } from "./restartableServer";
import { ownServerPort } from "./ports";
import { browserSession } from "./session";

const authSecret = inject("authSecret");
/** This test's own server, so stopping it leaves the other suites alone. */
const PORT = ownServerPort("E2E_SYNC_RESTART_PORT", 8793);

describe("sync server restart with devices connected", () => {
  const server = new RestartableServer("sync-restart-", PORT, authSecret);
  const devices = browserSession();
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
    await server.start();
  });
  afterAll(async () => {
    await browser?.close();
    await server.stop();
  });

  it("reconnects and converges with no change lost and no duplicate rows", async () => {
    const user = `restart-${Date.now()}`;
    const a = await (await browser.newContext()).newPage();
    const b = await (await browser.newContext()).newPage();
    await signedInDevice(a, server.url, authSecret, user, "a");
    await signedInDevice(b, server.url, authSecret, user, "b");
    await addNote(a, "before the restart");
    await waitForNote(b, "before the restart");

    await server.stop();
    await expect.poll(() => a.locator(".sync-indicator").getAttribute("data-sync-state"), { timeout: 30_000 }).toMatch(/offline|connecting/);
    await addNote(a, "written on A while the server was down");
    await addNote(b, "written on B while the server was down");
    await expect.poll(() => a.locator(".sync-indicator").textContent()).toMatch(/changes waiting/);

    await server.start();
    await waitForSync(a, "synced", 60_000);
    await waitForSync(b, "synced", 60_000);
    await waitForNote(a, "written on B while the server was down", 30_000);
    await waitForNote(b, "written on A while the server was down", 30_000);
    expect(JSON.stringify(await notesSnapshot(a))).toBe(JSON.stringify(await notesSnapshot(b)));
    expect(await sql(a, "SELECT count(*), count(DISTINCT title) FROM notes")).toEqual([[3, 3]]);
  });

  it("a change sent to a server that hung and was killed shows as waiting until the new server stores it", async () => {
    const user = `hung-${Date.now()}`;
    // Two phones: a Chromium each, on its own on-disk profile.
    const a = await (await devices.context()).newPage();
    const b = await (await devices.context()).newPage();
    await signedInDevice(a, server.url, authSecret, user, "a");
    await signedInDevice(b, server.url, authSecret, user, "b");

    server.freeze(); // the socket stays open; what A sends now is never read
    await addNote(a, "sent to a hung server");
    await expect.poll(() => a.locator(".sync-indicator").textContent()).toMatch(/changes waiting/);
    await recordSyncTexts(a);
    await server.stop(); // killed: the push dies unread with it
    await server.start();
    await waitForSync(a, "synced", 60_000);
    await waitForNote(b, "sent to a hung server", 30_000);

    // Every state from the kill to the first "Synced" names the change as waiting: the new socket
    // opens with no push on it, and until the push goes out again nothing else would say so.
    const texts = await syncTexts(a);
    const synced = texts.findIndex((text) => /^Synced/.test(text));
    expect(synced, texts.join(" | ")).toBeGreaterThan(0);
    const beforeSynced = texts.slice(0, synced);
    expect(beforeSynced.filter((text) => !/changes waiting/.test(text)), texts.join(" | ")).toEqual([]);
    expect(await sql(b, "SELECT count(*) FROM notes WHERE title = 'sent to a hung server'")).toEqual([[1]]);
    expect(await sql(a, "SELECT count(*) FROM notes WHERE title = 'sent to a hung server'")).toEqual([[1]]);
  });
});
