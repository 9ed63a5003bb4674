/** The database worker repairs a search index that drifted from the notes, shortly after open. */
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { SEARCH_INDEX_CHECK_DELAY_MS } from "../shared/constants";
import { addNote, openApp, sql } from "./app";
import { browserSession } from "./session";

const baseUrl = inject("baseUrl");

const run = (page: Page, statement: string) =>
  page.evaluate((s) => window.cobrain.client.query({ sql: s, params: [], method: "run" }), statement);

const matches = async (page: Page, word: string) =>
  (await sql(page, "SELECT n.title FROM notes_fts JOIN notes n ON n.rowid = notes_fts.rowid WHERE notes_fts MATCH ?", [word])).flat();

describe("search index", () => {
  const session = browserSession();

  it("an index that no longer matches the notes is rebuilt after the next open", async () => {
    const page = await (await session.context()).newPage();
    await openApp(page, baseUrl);
    await addNote(page, "trip to tokyo");
    // Rename the note without its index trigger, as a write that bypasses the triggers would.
    const [[trigger]] = (await sql(page, "SELECT sql FROM sqlite_master WHERE name = 'notes_fts_update'")) as [[string]];
    await run(page, "DROP TRIGGER notes_fts_update");
    await run(page, "UPDATE notes SET title = 'trip to osaka'");
    await run(page, trigger);
    expect(await matches(page, "osaka")).toEqual([]);

    await page.reload();
    await openApp(page, baseUrl);
    await expect.poll(() => matches(page, "osaka"), { timeout: SEARCH_INDEX_CHECK_DELAY_MS + 15_000 }).toEqual(["trip to osaka"]);
    expect(await matches(page, "tokyo")).toEqual([]);
  });
});
