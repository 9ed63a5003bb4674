/**
 * A failure inside the user's Durable Object is "the server had a problem, try again", never
 * "signed out": two signed-in browsers, the server stopped, the user's log made unopenable (a
 * format newer than this server, as a half-finished rollback would leave it), the server started
 * again; later the log is repaired and sync resumes with nothing lost.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { USER_LOG_FORMAT_VERSION } from "../shared/constants";
import { mintToken } from "../worker/auth";
import { addNote, signedInDevice, sql, waitForNote, waitForSync } from "./app";
import { launchBrowser } from "./browser";
import { RestartableServer } from "./restartableServer";
import { ownServerPort } from "./ports";

const authSecret = inject("authSecret");
/** This file's own server (its own port, e2e/ports.ts), so stopping it disturbs nobody. */
const PORT = ownServerPort("E2E_RESTART_PORT", 8792);

/** Sets the stored format version of every UserLog on disk (the server must be stopped). */
function setLogFormat(persistTo: string, version: number): void {
  const dir = join(persistTo, "v3", "do", "cobrain-UserLog");
  // One file per object, named by its id; metadata.sqlite is miniflare's own.
  for (const file of readdirSync(dir).filter((f) => /^[0-9a-f]{64}\.sqlite$/.test(f))) {
    const db = new DatabaseSync(join(dir, file));
    db.prepare("UPDATE meta SET value = ? WHERE key = 'format_version'").run(version);
    db.close();
  }
}

describe("a failing Durable Object", () => {
  const server = new RestartableServer("do-failure-", PORT, authSecret);
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
    await server.start();
  });
  afterAll(async () => {
    await browser?.close();
    await server.stop();
  });

  it("is 'try again' to the app: it stays signed in, keeps its changes, and syncs once the server is fixed", async () => {
    const user = `failing-${Date.now()}`;
    const a = await (await browser.newContext()).newPage();
    const b = await (await browser.newContext()).newPage();
    await signedInDevice(a, server.url, authSecret, user, "a");
    await signedInDevice(b, server.url, authSecret, user, "b");
    await addNote(a, "before the failure");
    await waitForNote(b, "before the failure");
    // The page cannot read its own credentials (production builds refuse it), so the test mints
    // an equivalent access token for the same user and device.
    const token = await mintToken(authSecret, { userId: user, deviceId: "a" });

    await server.stop();
    setLogFormat(server.persistTo, 999);
    await server.start();

    // At the server: a valid token whose log cannot be opened is "try again", not "sign in again".
    const me = await fetch(`${server.url}/api/me`, { headers: { Authorization: `Bearer ${token}` } });
    expect(me.status).toBe(503);
    expect(me.headers.get("Retry-After")).toBeTruthy();

    await addNote(a, "written while the server fails");
    // The device tries again and again (its back-off) and never takes itself for signed out.
    const seen = new Set<string>();
    const until = Date.now() + 8_000;
    while (Date.now() < until) {
      const indicator = a.locator(".sync-indicator");
      seen.add(`${await indicator.getAttribute("data-sync-state")}: ${await indicator.textContent()}`);
      await a.waitForTimeout(250);
    }
    console.log(`statuses shown while the server failed: ${[...seen].join(" | ")}`);
    for (const status of seen) {
      expect(status).not.toMatch(/^signed-out|^synced|sign in/i);
    }
    // Still signed in as this user: the worker's status keeps the account.
    expect(await a.evaluate(() => window.cobrain.client.syncStatus.userId)).toBe(user);

    await server.stop();
    setLogFormat(server.persistTo, USER_LOG_FORMAT_VERSION);
    await server.start();
    await waitForSync(a, "synced", 60_000);
    await waitForNote(b, "written while the server fails", 60_000);
    expect(await sql(b, "SELECT count(*) FROM notes")).toEqual([[2]]);
  });
});
