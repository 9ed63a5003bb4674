import { afterEach, describe, expect, it, vi } from "vitest";
import { openMemoryReplica } from "../../../testing/nodeReplica";
import { checkSearchIndex } from "./searchIndex";
import type { SqliteConnection } from "./sqlite/connection";

const found = async (db: SqliteConnection, word: string) =>
  (await db.exec("SELECT n.id FROM notes_fts JOIN notes n ON n.rowid = notes_fts.rowid WHERE notes_fts MATCH ?", [word])).rows.flat();

/** Changes a note's body the way a write that bypasses the index triggers would. */
async function writeBehindTheIndex(db: SqliteConnection, id: string, body: string): Promise<void> {
  const { rows } = await db.exec("SELECT sql FROM sqlite_master WHERE name = 'notes_fts_update'");
  await db.script("DROP TRIGGER notes_fts_update");
  await db.exec("UPDATE notes SET body = ? WHERE id = ?", [body, id]);
  await db.script(rows[0]![0] as string);
}

describe("search index check at open", () => {
  afterEach(() => vi.restoreAllMocks());

  it("leaves an index that matches the notes alone", async () => {
    const db = await openMemoryReplica();
    await db.exec("INSERT INTO notes (id, title, body) VALUES ('n1', 'trip', 'tokyo in spring')");
    expect(await checkSearchIndex(db)).toBe("ok");
    expect(await found(db, "tokyo")).toEqual(["n1"]);
  });

  it("rebuilds an index that drifted from the notes, so search finds the note again", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const db = await openMemoryReplica();
    await db.exec("INSERT INTO notes (id, title, body) VALUES ('n1', 'trip', 'tokyo in spring'), ('n2', 'other', 'kyoto')");
    await writeBehindTheIndex(db, "n1", "osaka in autumn");
    expect(await found(db, "osaka")).toEqual([]); // the index still has the old words
    await expect(db.exec("INSERT INTO notes_fts (notes_fts, rank) VALUES ('integrity-check', 1)")).rejects.toThrow(/malformed/);

    expect(await checkSearchIndex(db)).toBe("rebuilt");
    expect(await found(db, "osaka")).toEqual(["n1"]);
    expect(await found(db, "tokyo")).toEqual([]);
    expect(await found(db, "kyoto")).toEqual(["n2"]);
    expect(await checkSearchIndex(db)).toBe("ok");
  });

  it("passes on errors that are not a drifted index", async () => {
    const db = await openMemoryReplica({ migrated: false });
    await expect(checkSearchIndex(db)).rejects.toThrow(/no such table/);
  });
});
