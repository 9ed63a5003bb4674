/**
 * No single value can block sync (issue 12): one device writes a value over the frame limit
 * through every path that can write one — a view snapshot, an import, a backup restore, the
 * console API, and data an older version wrote without the limit. Each is refused with a message
 * naming it, or held aside and named; notes written afterwards still reach the other device; the
 * status names the problem instead of "Offline". Two Chromium contexts, the real local server.
 */
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { MAX_SYNC_CELL_BYTES } from "../shared/constants";
import { addNote, confirmImport, showNotes, signedInDevice, sql, waitForNote, waitForSync } from "./app";
import { browserSession } from "./session";

const baseUrl = inject("baseUrl");
const authSecret = inject("authSecret");

const count = async (page: Page, query: string) => Number((await sql(page, query))[0]![0]);

async function chooseFile(page: Page, name: string, content: unknown): Promise<string> {
  await page.locator('input[type="file"]').setInputFiles({ name, mimeType: "application/json", buffer: Buffer.from(JSON.stringify(content)) });
  await confirmImport(page);
  const status = page.locator(".import [role=status]");
  await expect.poll(() => status.textContent(), { timeout: 60_000 }).toMatch(/^(Imported|Nothing imported)/);
  return (await status.textContent())!;
}

describe("a value over the frame limit never blocks sync", () => {
  const session = browserSession();

  it("through every path: refused or held aside and named; later notes still reach the other device", async () => {
    const user = `limits-${Date.now()}`;
    const a = await (await session.context()).newPage();
    await signedInDevice(a, baseUrl, authSecret, user, "a");
    const b = await (await session.context()).newPage();
    await signedInDevice(b, baseUrl, authSecret, user, "b");

    // 1. A snapshot of a view over 500 ordinary notes (1.5 KB each: 740 KB of bodies in all).
    const ordinary = Array.from({ length: 500 }, (_, i) => ({ title: `ordinary ${i}`, body: `A paragraph of an ordinary note, number ${i}. `.repeat(34) }));
    expect(await chooseFile(a, "ordinary.json", ordinary)).toBe("Imported 500 notes.");
    await a.getByRole("button", { name: "Views", exact: true }).click();
    await a.getByLabel("View name").fill("Everything");
    await a.getByRole("button", { name: "Save view" }).click(); // and it opens
    await a.getByRole("button", { name: "Save snapshot" }).click();
    await expect.poll(() => count(b, "SELECT count(*) FROM view_snapshots"), { timeout: 60_000 }).toBe(1);
    const [[snapshotBytes, snapshotNotes]] = (await sql(b, "SELECT length(CAST(result AS BLOB)), json_array_length(result) FROM view_snapshots")) as [[number, number]];
    expect(snapshotNotes).toBe(500);
    expect(snapshotBytes).toBeLessThan(MAX_SYNC_CELL_BYTES / 10); // ids and titles, not bodies
    await expect.poll(() => count(b, "SELECT count(*) FROM notes"), { timeout: 60_000 }).toBe(500);
    await showNotes(a);

    // 2. An import with one note over the limit: refused with the reason, nothing written.
    const tooLong = "x".repeat(MAX_SYNC_CELL_BYTES + 1);
    expect(await chooseFile(a, "big.json", [{ title: "fine" }, { title: "huge", body: tooLong }])).toMatch(/^Nothing imported: .*too long to sync/);
    expect(await count(a, "SELECT count(*) FROM notes")).toBe(500);

    // 3. A backup with a snapshot over the limit, and one with a value of the wrong type: refused before writing.
    const backup = (tables: Record<string, unknown[]>) => ({ format: "cobrain-backup", version: 1, exportedAt: new Date().toISOString(), tables });
    const note = { id: "restored-1", title: "restored", body: "", pinned: 0, archived: 0, trashed_at: null, created_at: Date.now(), updated_at: Date.now() };
    expect(await chooseFile(a, "backup.json", backup({ notes: [note], view_snapshots: [{ id: "s-big", view_id: "v", taken_at: 1, result: tooLong }] }))).toMatch(
      /^Nothing imported: .*view_snapshots\.result is too large to sync/,
    );
    expect(await chooseFile(a, "backup.json", backup({ notes: [{ ...note, pinned: "yes" }] }))).toMatch(/^Nothing imported: .*notes\.pinned is INTEGER but got string/);
    expect(await count(a, "SELECT count(*) FROM notes WHERE id = 'restored-1'")).toBe(0);
    expect(await count(a, "SELECT count(*) FROM view_snapshots")).toBe(1);

    // 4. The console API: refused by the database itself, naming the table and column.
    await expect(sql(a, "INSERT INTO notes (id, title, body) VALUES ('console-big', 'console', ?)", [tooLong])).rejects.toThrow(/too large to sync: notes\.body/);
    await expect(sql(a, "UPDATE views SET filter = ?", [tooLong])).rejects.toThrow(/too large to sync: views\.filter/);

    // 5. A value an older version wrote before there was a limit: held aside and named, not sent.
    await a.evaluate(() => window.cobrain.client.query({ sql: "DROP TRIGGER notes_cell_size_insert", params: [], method: "run" }));
    await sql(a, "INSERT INTO notes (id, title, body, created_at, updated_at) VALUES ('old-big', 'Written long ago', ?, 1, 1)", ["€".repeat(200_000)]);
    await addNote(a, "written after the big one");
    await waitForNote(b, "written after the big one", 30_000);
    const indicator = a.locator(".sync-indicator");
    await expect.poll(() => indicator.getAttribute("data-sync-state"), { timeout: 30_000 }).toBe("held");
    const shown = (await indicator.textContent())!;
    expect(shown).toMatch(/Written long ago/);
    expect(shown).toMatch(/too large to sync/);
    expect(shown).not.toMatch(/Offline/);
    expect(await sql(a, "SELECT tbl, cid FROM sync_held")).toEqual([["notes", "body"]]);
    expect(await count(b, "SELECT count(*) FROM notes WHERE id = 'old-big'")).toBe(1); // its title and the row went
    expect(await count(b, "SELECT length(body) FROM notes WHERE id = 'old-big'")).toBe(0); // its body is held

    // The indicator opens the activity log, which says what was held and what went.
    await indicator.click();
    const log = a.getByRole("list", { name: "Sync activity log" });
    await expect.poll(() => log.textContent(), { timeout: 10_000 }).toMatch(/Written long ago.*held aside/);
    expect(await log.textContent()).toMatch(/sent \d+ change/);
    expect(await log.textContent()).toMatch(/the server stored \d+ change/);
    expect(await a.getByRole("list", { name: "Changes held aside" }).textContent()).toMatch(/Written long ago/);

    // The person shortens the note: it syncs, nothing is held any more.
    await sql(a, "UPDATE notes SET body = 'shortened' WHERE id = 'old-big'");
    await expect.poll(() => sql(b, "SELECT body FROM notes WHERE id = 'old-big'"), { timeout: 30_000 }).toEqual([["shortened"]]);
    await waitForSync(a, "synced");
    expect(await count(a, "SELECT count(*) FROM sync_held")).toBe(0);
  }, 240_000);
});
