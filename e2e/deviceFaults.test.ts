/** What a device survives: its tab killed mid-sync, a full disk, and no persistent storage. */
import type { BrowserContext } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { addNote, confirmImport, expectTitles, handAccountKey, openApp, openSignInLink, removeAccountCopy, signedInDevice, sql, waitForSync } from "./app";
import { mintToken } from "../worker/auth";
import { browserSession } from "./session";

const baseUrl = inject("baseUrl");
const authSecret = inject("authSecret");

describe("device-side faults", () => {
  const session = browserSession();

  async function context(): Promise<BrowserContext> {
    const c = await session.context();
    return c;
  }

  it("a tab killed while applying a sync batch reopens whole and finishes the sync", async () => {
    const user = `crash-${Date.now()}`;
    const a = await (await context()).newPage();
    await signedInDevice(a, baseUrl, authSecret, user, "a");
    const notes = Array.from({ length: 3_000 }, (_, i) => ({ title: `note ${i}`, body: `body ${i} `.repeat(30) }));
    await a.locator('input[type="file"]').setInputFiles({ name: "n.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(notes)) });
    await confirmImport(a);
    await a.getByText("Imported 3,000 notes.").waitFor({ timeout: 60_000 });
    await waitForSync(a, "synced", 60_000);
    await removeAccountCopy(baseUrl, authSecret, user); // b must receive the notes batch by batch, not from a copy

    const b = await context();
    const first = await b.newPage();
    // Notes are encrypted end to end: the new device is handed the account key a made.
    const key = await a.evaluate(() => window.cobrain.client.exportAccountKey());
    if (!key) throw new Error("device a has no account key");
    await openSignInLink(first, `${baseUrl}/#token=${await mintToken(authSecret, { userId: user, deviceId: "b" })}`, (p) => handAccountKey(p, key));
    await first.locator(".note-title").first().waitFor({ timeout: 60_000 }); // the first batches are in
    const cdp = await b.newCDPSession(first);
    // The crash comes mid-sync: some batches are committed, not all of them.
    const atCrash = Number((await sql(first, "SELECT count(*) FROM notes"))[0]![0]);
    console.log(`device faults: tab killed with ${atCrash} of 3000 notes in`);
    expect(atCrash).toBeGreaterThan(0);
    expect(atCrash).toBeLessThan(3_000);
    const crashed = new Promise((resolve) => first.once("crash", resolve));
    void cdp.send("Page.crash").catch(() => undefined); // kills the renderer and its database worker
    await crashed;

    const again = await b.newPage();
    await openApp(again, baseUrl);
    expect(await sql(again, "PRAGMA integrity_check")).toEqual([["ok"]]);
    // Nothing committed before the crash was lost (the reopened tab may already have synced more).
    const afterCrash = Number((await sql(again, "SELECT count(*) FROM notes"))[0]![0]);
    expect(afterCrash).toBeGreaterThanOrEqual(atCrash);
    await waitForSync(again, "synced", 60_000);
    await expect.poll(async () => (await sql(again, "SELECT count(*), count(DISTINCT id), sum(body = '') FROM notes"))[0], { timeout: 60_000 }).toEqual([3_000, 3_000, 0]);
    expect(JSON.stringify(await sql(again, "SELECT id, title, body FROM notes ORDER BY id"))).toBe(JSON.stringify(await sql(a, "SELECT id, title, body FROM notes ORDER BY id")));
  });

  it("a full disk refuses the write with a clear message and loses nothing already saved", async () => {
    const c = await context();
    const page = await c.newPage();
    await openApp(page, baseUrl);
    await addNote(page, "saved before the disk filled up");
    const cdp = await c.newCDPSession(page);
    const usage = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
    await cdp.send("Storage.overrideQuotaForOrigin", { origin: baseUrl, quotaSize: usage + 64 * 1024 });
    const notes = Array.from({ length: 3_000 }, (_, i) => ({ title: `big ${i}`, body: "x".repeat(2_000) }));
    await page.locator('input[type="file"]').setInputFiles({ name: "big.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(notes)) });
    await confirmImport(page);
    await expect.poll(() => page.locator(".import [role=status]").textContent(), { timeout: 30_000 }).toMatch(/Nothing imported: .*(full|space|quota)/i);
    await cdp.send("Storage.overrideQuotaForOrigin", { origin: baseUrl });
    await addNote(page, "written once space was back");
    await page.reload();
    await openApp(page, baseUrl);
    await expectTitles(page, ["saved before the disk filled up", "written once space was back"]);
    expect(await sql(page, "PRAGMA integrity_check")).toEqual([["ok"]]);
  });
});
