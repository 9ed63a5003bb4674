/**
 * A new device starts from the sealed copy of the account's database that a synced device left on
 * the server, in separate Chromium contexts against the real local Worker; checked in every
 * device's database: the same notes, its own site id, nothing of the maker's private tables, only
 * the changes after the copy received one by one, and sync going on both ways. A copy that does
 * not open is named in the sync activity, and the device receives everything change by change.
 */
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { mintToken } from "../worker/auth";
import { confirmImport, notesSnapshot, signedInDevice, sql, syncTexts, waitForSync, watchSyncTexts } from "./app";
import { freshProfileDir, killProfileBrowser, launchProfile, removeProfileDirs } from "./browser";
import { browserSession } from "./session";

const baseUrl = inject("baseUrl");
const authSecret = inject("authSecret");
/** Notes imported on the first device: 7 changes each, well past COPY_MIN_NEW_CHANGES. */
const NOTES = 1_000;

describe("a new device starts from the account's copy", () => {
  const session = browserSession();
  const user = () => `copy-${Math.random().toString(36).slice(2, 10)}`;

  async function device(userId: string, deviceId: string): Promise<Page> {
    const page = await (await session.context()).newPage();
    await signedInDevice(page, baseUrl, authSecret, userId, deviceId);
    return page;
  }

  async function serverCall(userId: string, path: string, init: RequestInit = {}): Promise<Response> {
    const token = await mintToken(authSecret, { userId, deviceId: "observer" });
    return fetch(`${baseUrl}${path}`, { ...init, headers: { ...init.headers, authorization: `Bearer ${token}` } });
  }

  const stats = async (userId: string) => (await (await serverCall(userId, "/api/log/stats")).json()) as { head: number; snapshotSeq: number | null };

  async function importNotes(page: Page, prefix: string) {
    const notes = Array.from({ length: NOTES }, (_, i) => ({ title: `${prefix} ${i}`, body: `zebra body ${i} `.repeat(10) }));
    await page.locator('input[type="file"]').setInputFiles({ name: "notes.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify({ notes })) });
    await confirmImport(page);
    await page.getByText(`Imported ${NOTES.toLocaleString("en-US")} notes.`).waitFor();
  }

  /** A new account whose first device imported NOTES notes, synced, and stored the account's copy. */
  async function accountWithCopy(prefix: string): Promise<{ u: string; a: Page }> {
    const u = user();
    const a = await device(u, "a");
    await importNotes(a, prefix);
    await waitForSync(a, "synced", 60_000);
    await expect.poll(async () => (await stats(u)).snapshotSeq, { timeout: 60_000 }).toEqual(expect.any(Number));
    return { u, a };
  }

  /** Changes this device received one by one, from its own sync activity. */
  async function receivedOneByOne(page: Page): Promise<number> {
    const rows = await sql(page, "SELECT detail FROM sync_activity WHERE kind = 'received'");
    return rows.reduce((sum, [detail]) => sum + Number(/received (\d+)/.exec(String(detail))?.[1] ?? 0), 0);
  }

  it("holds the same notes as the maker, received only what came after the copy, and syncs on both ways", async () => {
    const { u, a } = await accountWithCopy("imported");
    // The server keeps the copy sealed: no title or body of a note is in what it stores.
    const stored = Buffer.from(await (await serverCall(u, "/api/snapshot")).arrayBuffer());
    expect(stored.subarray(0, 8).toString()).toBe("CBSNAP01");
    expect(stored.includes("imported 5")).toBe(false);
    expect(stored.includes("zebra")).toBe(false);
    // A change after the copy: the new device must receive it one by one.
    await sql(a, "UPDATE notes SET title = 'after the copy' WHERE title = 'imported 3'");
    await waitForSync(a, "synced");

    const c = await (await session.context()).newPage();
    // Every text the sync indicator shows, from the page's start.
    await watchSyncTexts(c);
    await signedInDevice(c, baseUrl, authSecret, u, "c");
    await expect.poll(async () => JSON.stringify(await notesSnapshot(c)), { timeout: 60_000 }).toBe(JSON.stringify(await notesSnapshot(a)));
    expect(await sql(c, "SELECT count(*) FROM notes")).toEqual([[NOTES]]);
    // While the copy came, the indicator said so (never "Signed out" once signed in).
    const texts = await syncTexts(c);
    const copying = texts.findIndex((text) => /^Receiving a copy of your notes: \d+\.\d of \d+\.\d MB \(\d+%\)$/.test(text));
    expect(copying, texts.join(" | ")).toBeGreaterThanOrEqual(0);
    expect(texts.slice(copying).some((text) => /Signed out/.test(text)), texts.join(" | ")).toBe(false);
    // The change after the copy came one by one (the activity is written at most once a second); the import's 7,000 did not.
    await expect.poll(() => receivedOneByOne(c), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await receivedOneByOne(c)).toBeLessThan(50);
    expect(await sql(c, "SELECT count(*) FROM notes_fts WHERE notes_fts MATCH 'zebra'")).toEqual([[NOTES]]);
    expect(await sql(c, "PRAGMA integrity_check")).toEqual([["ok"]]);
    const siteOf = async (page: Page) => JSON.stringify(await sql(page, "SELECT hex(crsql_site_id())"));
    expect(await siteOf(c)).not.toBe(await siteOf(a));
    // Nothing of A's own activity came with the copy; nothing of the copy goes back up as C's.
    expect(await sql(c, "SELECT count(*) FROM sync_activity WHERE detail LIKE 'stored a copy%'")).toEqual([[0]]);
    const [[ownBefore]] = (await sql(c, "SELECT count(*) FROM crsql_changes WHERE site_id = crsql_site_id() AND \"table\" = 'notes'")) as [[number]];
    expect(ownBefore).toBe(0);

    await sql(c, "UPDATE notes SET title = 'renamed on c' WHERE title = 'imported 7'");
    await sql(a, "UPDATE notes SET title = 'renamed on a' WHERE title = 'imported 8'");
    const titled = (page: Page, title: string) => sql(page, "SELECT count(*) FROM notes WHERE title = ?", [title]);
    await expect.poll(() => titled(a, "renamed on c"), { timeout: 30_000 }).toEqual([[1]]);
    await expect.poll(() => titled(c, "renamed on a"), { timeout: 30_000 }).toEqual([[1]]);
    await expect.poll(async () => JSON.stringify(await notesSnapshot(c)), { timeout: 30_000 }).toBe(JSON.stringify(await notesSnapshot(a)));
  });

  it("a new device killed right after its copied notes show keeps them, signed in, and syncs on", async () => {
    const { u, a } = await accountWithCopy("durable");

    const profile = freshProfileDir();
    try {
      const context = await launchProfile(profile);
      const c = await context.newPage();
      await signedInDevice(c, baseUrl, authSecret, u, "c");
      await c.locator(".note-title", { hasText: /^durable \d+$/ }).first().waitFor({ timeout: 30_000 });
      await expect.poll(() => sql(c, "SELECT count(*) FROM notes"), { timeout: 30_000 }).toEqual([[NOTES]]);
      await killProfileBrowser(profile);
      await context.close().catch(() => undefined);

      const reopened = await launchProfile(profile);
      try {
        const again = await reopened.newPage();
        await again.goto(baseUrl);
        await waitForSync(again, "synced", 60_000);
        expect(await sql(again, "SELECT count(*) FROM notes")).toEqual([[NOTES]]);
        expect(await sql(again, "PRAGMA integrity_check")).toEqual([["ok"]]);
        await sql(a, "UPDATE notes SET title = 'after the kill' WHERE title = 'durable 1'");
        await expect.poll(() => sql(again, "SELECT count(*) FROM notes WHERE title = 'after the kill'"), { timeout: 30_000 }).toEqual([[1]]);
      } finally {
        await reopened.close().catch(() => undefined);
      }
    } finally {
      removeProfileDirs();
    }
  });

  it("a copy that does not open is named, and the new device receives everything change by change, counting the notes received", async () => {
    const { u, a } = await accountWithCopy("kept");
    // Another device of the account (or a broken one) replaces it with bytes that are no sealed copy.
    const forged = Buffer.concat([Buffer.from("CBSNAP01"), Buffer.alloc(4096, 7)]);
    const put = await serverCall(u, "/api/snapshot", {
      method: "PUT",
      body: forged,
      headers: { "content-type": "application/octet-stream", "x-snapshot-seq": String((await stats(u)).snapshotSeq), "x-snapshot-schema": "1" },
    });
    expect(put.status).toBe(200);

    const c = await (await session.context()).newPage();
    await watchSyncTexts(c);
    await signedInDevice(c, baseUrl, authSecret, u, "c");
    await expect.poll(async () => JSON.stringify(await notesSnapshot(c)), { timeout: 60_000 }).toBe(JSON.stringify(await notesSnapshot(a)));
    // Meanwhile the indicator counted notes, of the server's count: never more, never backwards.
    const texts = await syncTexts(c);
    const counts = texts.flatMap((text): { received: number; total: number }[] => {
      const match = /^Receiving ([\d,]+) of ([\d,]+) notes \(\d+%\)/.exec(text);
      return match ? [{ received: Number(match[1]!.replace(/,/g, "")), total: Number(match[2]!.replace(/,/g, "")) }] : [];
    });
    expect(counts.length, texts.join(" | ")).toBeGreaterThan(0);
    expect(counts.every(({ received, total }) => total === NOTES && received <= NOTES), texts.join(" | ")).toBe(true);
    const received = counts.map((count) => count.received);
    expect(received, texts.join(" | ")).toEqual([...received].sort((x, y) => x - y));
    // And it never said "Synced" before the notes had come (the server's backlog starts a moment
    // after the socket opens, and comes in pages).
    const lastCounted = texts.map((text) => /^Receiving [\d,]+ of [\d,]+ notes/.test(text)).lastIndexOf(true);
    expect(texts.slice(0, lastCounted).some((text) => /^Synced/.test(text)), texts.join(" | ")).toBe(false);
    // The sync activity is written at most once a second: its last entries may still be on their way.
    await expect.poll(() => receivedOneByOne(c), { timeout: 10_000 }).toBeGreaterThanOrEqual(NOTES * 7);
    await expect.poll(() => sql(c, "SELECT detail FROM sync_activity WHERE kind = 'error'"), { timeout: 10_000 }).toEqual([
      [expect.stringMatching(/^the copy of your notes on the server could not be used \(.+\); receiving them change by change$/)],
    ]);
  });
});
