/** Devices of one user, each a separate Chromium context, syncing through the real local Worker. */
import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { addNote, confirmImport, notesSnapshot, openNote, openSignInLink, showNotes, signedInDevice, sql, syncTexts, waitForNote, waitForSync, watchSyncTexts } from "./app";
import { browserSession } from "./session";

const baseUrl = inject("baseUrl");
const authSecret = inject("authSecret");

describe("sync between a user's devices", () => {
  const session = browserSession();

  async function device(userId: string, deviceId: string): Promise<{ page: Page; context: BrowserContext }> {
    const context = await session.context();
    const page = await context.newPage();
    await signedInDevice(page, baseUrl, authSecret, userId, deviceId);
    return { page, context };
  }

  /** Both devices hold the same notes (polls until they do). */
  async function expectSame(a: Page, b: Page, timeout = 30_000) {
    await expect.poll(async () => JSON.stringify(await notesSnapshot(a)) === JSON.stringify(await notesSnapshot(b)), { timeout }).toBe(true);
  }

  const user = () => `u-${Math.random().toString(36).slice(2, 10)}`;

  it("a note created and edited on A shows on B without reload", async () => {
    const u = user();
    const { page: a } = await device(u, "a");
    const { page: b } = await device(u, "b");
    await addNote(a, "from the phone");
    await waitForNote(b, "from the phone");
    await openNote(a, "from the phone");
    await a.getByLabel("Body").fill("typed on the phone");
    await expect.poll(() => b.locator(".note-snippet").first().textContent(), { timeout: 10_000 }).toBe("typed on the phone");
    await waitForSync(a, "synced");
    await expect.poll(() => sql(b, "SELECT name, platform FROM devices ORDER BY id")).toEqual([
      [expect.stringMatching(/Chrome/), "web"],
      [expect.stringMatching(/Chrome/), "web"],
    ]);
  });

  it("a device alone in its account is never shown receiving its own notes: not at a restart, not on an edit after it", async () => {
    // The server never sends a device its own changes, so a lone device never has a cursor, and
    // each start counts the server's notes for a first sync that has nothing to bring.
    const { page: a } = await device(user(), "alone");
    for (const title of ["one", "two", "three"]) await addNote(a, title);
    await waitForSync(a, "synced");
    await watchSyncTexts(a);
    await a.reload();
    await waitForSync(a, "synced");
    await addNote(a, "four");
    await waitForSync(a, "synced");
    const texts = await syncTexts(a);
    expect(texts.some((text) => /^Synced/.test(text)), texts.join(" | ")).toBe(true);
    expect(texts.filter((text) => /^Receiving/.test(text)), texts.join(" | ")).toEqual([]);
    expect(await sql(a, "SELECT count(*) FROM crsql_tracked_peers")).toEqual([[0]]); // still no cursor
  });

  it("concurrent offline edits: different fields both survive, the same field follows cr-sqlite's rule, delete beats edit", async () => {
    const u = user();
    const { page: a, context: ca } = await device(u, "a");
    const { page: b, context: cb } = await device(u, "b");
    await addNote(a, "shared");
    await addNote(a, "doomed");
    await waitForNote(b, "doomed");
    await ca.setOffline(true);
    await cb.setOffline(true);
    await waitForSync(a, "offline");

    await openNote(a, "shared");
    await a.getByLabel("Title", { exact: true }).fill("apple");
    await openNote(b, "shared");
    await b.getByLabel("Title", { exact: true }).fill("banana");
    await b.getByLabel("Body").fill("body from B");
    await openNote(a, "doomed");
    await a.getByRole("button", { name: "Move to trash" }).click();
    await a.getByRole("button", { name: "Trash", exact: true }).click();
    await openNote(a, "doomed");
    await a.getByRole("button", { name: "Delete forever" }).click();
    await openNote(b, "doomed");
    await b.getByLabel("Body").fill("edited while deleted elsewhere");
    await b.getByLabel("Title", { exact: true }).blur();
    await expect.poll(() => sql(b, "SELECT body FROM notes WHERE title = 'doomed'")).toEqual([["edited while deleted elsewhere"]]);

    await ca.setOffline(false);
    await cb.setOffline(false);
    await expectSame(a, b);
    // Each device edited the title once: equal versions, so the greater value wins everywhere.
    expect(await sql(a, "SELECT title, body FROM notes ORDER BY title")).toEqual([["banana", "body from B"]]);
    await waitForSync(a, "synced");
    await waitForSync(b, "synced");
  });

  it("a device offline for 500 edits and a 2,000-note import converges, and a new device gets everything", async () => {
    const u = user();
    const { page: a, context: ca } = await device(u, "a");
    const { page: b } = await device(u, "b");
    await addNote(a, "edited offline");
    await waitForNote(b, "edited offline");
    await ca.setOffline(true);
    await waitForSync(a, "offline");
    await a.evaluate(async () => {
      const [[id]] = (await window.cobrain.sql("SELECT id FROM notes WHERE title = 'edited offline'")) as [[string]];
      for (let i = 1; i <= 500; i++) await window.cobrain.sql("UPDATE notes SET body = ?, updated_at = ? WHERE id = ?", [`edit ${i}`, 1_764_000_000_000 + i, id]);
    });
    const notes = Array.from({ length: 2_000 }, (_, i) => ({ title: `imported ${i}`, body: `body ${i} `.repeat(20) }));
    await a.locator('input[type="file"]').setInputFiles({ name: "notes.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify({ notes })) });
    await confirmImport(a);
    await a.getByText("Imported 2,000 notes.").waitFor();
    await expect.poll(() => a.locator(".sync-indicator").textContent()).toMatch(/changes waiting/);

    await ca.setOffline(false);
    await expectSame(a, b, 120_000);
    expect(await sql(b, "SELECT count(*), sum(title LIKE 'imported %') FROM notes")).toEqual([[2001, 2000]]);
    expect(await sql(b, "SELECT body FROM notes WHERE title = 'edited offline'")).toEqual([["edit 500"]]);

    const { page: c } = await device(u, "c");
    await expectSame(a, c, 120_000);
    // C either started from the account's copy, if A or B had stored one by then (accountCopy.ts),
    // or wrote the import straight into its tables (freshNotes.ts); either way its clocks, search
    // index and database must work as if cr-sqlite had merged it (each path also has its own
    // deterministic test: e2e/accountCopy.test.ts). An edit on C reaches A, an edit on A reaches C,
    // and C's search finds the imported notes.
    expect(await sql(c, "SELECT count(*) FROM notes_fts WHERE notes_fts MATCH 'imported'")).toEqual([[2000]]);
    expect(await sql(c, "PRAGMA integrity_check")).toEqual([["ok"]]);
    await sql(c, "UPDATE notes SET title = 'renamed on c' WHERE title = 'imported 5'");
    await sql(a, "UPDATE notes SET title = 'renamed on a' WHERE title = 'imported 6'");
    const titled = (page: Page, title: string) => sql(page, "SELECT count(*) FROM notes WHERE title = ?", [title]);
    await expect.poll(() => titled(a, "renamed on c"), { timeout: 30_000 }).toEqual([[1]]);
    await expect.poll(() => titled(c, "renamed on a"), { timeout: 30_000 }).toEqual([[1]]);
    await expectSame(a, c);
  });

  it("user X's devices never receive user Y's data", async () => {
    const { page: x } = await device(user(), "x");
    const { page: y } = await device(user(), "y");
    await addNote(y, "Y's private note");
    await waitForSync(y, "synced");
    await addNote(x, "X's own note");
    await waitForSync(x, "synced");
    expect(await sql(x, "SELECT title FROM notes")).toEqual([["X's own note"]]);
    expect(await sql(y, "SELECT title FROM notes")).toEqual([["Y's private note"]]);
  });

  it("a bad token is reported, not retried forever; signing out stops sync and keeps the notes", async () => {
    const context = await session.context();
    const page = await context.newPage();
    await openSignInLink(page, `${baseUrl}/#token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4IiwiZGlkIjoieSJ9.forged`);
    await waitForSync(page, "error");
    expect(await page.locator(".sync-indicator").textContent()).toMatch(/invalid token|sign in/i);

    const { page: a } = await device(user(), "a");
    await addNote(a, "kept after sign-out");
    await waitForSync(a, "synced");
    await a.locator(".sync-indicator").click();
    await a.getByRole("button", { name: "Sign out (keeps notes on this device)" }).click();
    await waitForSync(a, "signed-out");
    await expect.poll(() => a.getByRole("status").filter({ hasText: "revoked on the server" }).count()).toBe(1);
    await a.reload(); // reopens where it was (Settings, /settings): go back to the notes
    await showNotes(a);
    await waitForNote(a, "kept after sign-out");
    expect(await a.locator(".sync-indicator").getAttribute("data-sync-state")).toBe("signed-out");
  });
});
