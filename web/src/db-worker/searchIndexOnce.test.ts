import { describe, expect, it } from "vitest";
import { openMemoryReplica } from "../../../testing/nodeReplica";
import { mergeChanges, pullChanges, siteIdOf } from "./changes";
import { withSearchIndexOnce } from "./searchIndexOnce";
import type { SqliteConnection } from "./sqlite/connection";

const found = async (db: SqliteConnection, word: string) =>
  (await db.exec("SELECT n.id FROM notes_fts JOIN notes n ON n.rowid = notes_fts.rowid WHERE notes_fts MATCH ? ORDER BY n.id", [word])).rows.flat();

/** FTS5 compares the index with the notes (`rank` = 1) and fails on any difference. */
const indexMatchesNotes = (db: SqliteConnection) => db.exec("INSERT INTO notes_fts (notes_fts, rank) VALUES ('integrity-check', 1)");

const triggerSql = async (db: SqliteConnection) =>
  (await db.exec("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'notes_fts_%' ORDER BY name")).rows;

const tempObjects = async (db: SqliteConnection) => (await db.exec("SELECT name FROM sqlite_temp_master WHERE name LIKE 'search_index%'")).rows;

/** The rows FTS5 keeps for its segments' pages (and its structure record). */
const segmentRows = async (db: SqliteConnection) => Number((await db.exec("SELECT count(*) FROM notes_fts_data")).rows[0]![0]);

async function seed(db: SqliteConnection) {
  await db.exec("INSERT INTO notes (id, title, body) VALUES ('a', 'alpha', 'tokyo'), ('b', 'beta', 'kyoto'), ('c', 'gamma', 'osaka')");
}

/**
 * Seeds a database, runs `writes` and then a failing statement under the swap, and checks that
 * the index triggers are back as they were and the capture is gone.
 */
async function failAfter(writes: (db: SqliteConnection) => Promise<void>): Promise<SqliteConnection> {
  const db = await openMemoryReplica();
  await seed(db);
  const before = await triggerSql(db);
  await expect(
    db.transaction(() =>
      withSearchIndexOnce(db, async () => {
        await writes(db);
        await db.exec("INSERT INTO no_such_table VALUES (1)");
      }),
    ),
  ).rejects.toThrow(/no such table/);
  expect(await triggerSql(db)).toEqual(before);
  expect(await tempObjects(db)).toEqual([]);
  return db;
}

describe("search index updated once after many writes", () => {
  it("indexes inserts, updates, upserts and deletes as the row-by-row triggers would", async () => {
    const db = await openMemoryReplica();
    await seed(db);
    const before = await triggerSql(db);
    await db.transaction(() =>
      withSearchIndexOnce(db, async () => {
        await db.exec("INSERT INTO notes (id, title, body) VALUES ('d', 'delta', 'nara'), ('e', 'epsilon', 'kobe')");
        await db.exec("UPDATE notes SET body = 'sapporo' WHERE id = 'a'");
        await db.exec("UPDATE notes SET body = 'hakone' WHERE id = 'a'"); // a second change to the same note
        await db.exec("INSERT INTO notes (id, title, body) VALUES ('b', 'beta', 'nikko') ON CONFLICT (id) DO UPDATE SET body = excluded.body");
        await db.exec("DELETE FROM notes WHERE id = 'c'");
        await db.exec("INSERT INTO notes (id, title, body) VALUES ('f', 'zeta', 'gone')");
        await db.exec("DELETE FROM notes WHERE id = 'f'"); // inserted and deleted within the batch
      }),
    );
    await indexMatchesNotes(db);
    expect(await found(db, "hakone")).toEqual(["a"]);
    expect(await found(db, "tokyo")).toEqual([]);
    expect(await found(db, "sapporo")).toEqual([]);
    expect(await found(db, "nikko")).toEqual(["b"]);
    expect(await found(db, "kyoto")).toEqual([]);
    expect(await found(db, "osaka")).toEqual([]);
    expect(await found(db, "gone")).toEqual([]);
    expect(await found(db, "nara OR kobe")).toEqual(["d", "e"]);
    // The row-by-row triggers are back as they were, and the capture is gone.
    expect(await triggerSql(db)).toEqual(before);
    expect(await tempObjects(db)).toEqual([]);
    await db.exec("UPDATE notes SET body = 'fuji' WHERE id = 'd'");
    expect(await found(db, "fuji")).toEqual(["d"]);
    await indexMatchesNotes(db);
  });

  it("indexes what a merge of received changes wrote (cr-sqlite inserts a row, then sets its cells)", async () => {
    const source = await openMemoryReplica();
    await source.exec("INSERT INTO notes (id, title, body) VALUES ('m1', 'merged', 'hokkaido'), ('m2', 'merged', 'okinawa')");
    const changes = await pullChanges(source, 0n);
    const sender = await siteIdOf(source);
    const db = await openMemoryReplica();
    await seed(db);
    await db.transaction(() => withSearchIndexOnce(db, () => mergeChanges(db, sender, changes)));
    await indexMatchesNotes(db);
    expect(await found(db, "hokkaido OR okinawa")).toEqual(["m1", "m2"]);
  });

  it("leaves everything as it was when the writes fail: notes, index and triggers", async () => {
    const db = await failAfter(async (db) => void (await db.exec("UPDATE notes SET body = 'sendai' WHERE id = 'a'")));
    expect(await found(db, "tokyo")).toEqual(["a"]);
    expect(await found(db, "sendai")).toEqual([]);
    await db.exec("UPDATE notes SET body = 'sendai' WHERE id = 'a'");
    expect(await found(db, "sendai")).toEqual(["a"]);
    await indexMatchesNotes(db);
  });

  it("runs only inside a transaction, and inside another such call leaves the indexing to it", async () => {
    const db = await openMemoryReplica();
    await expect(withSearchIndexOnce(db, async () => undefined)).rejects.toThrow(/inside a transaction/);
    await db.transaction(() =>
      withSearchIndexOnce(db, async () => {
        await db.exec("INSERT INTO notes (id, title, body) VALUES ('o', 'outer', 'matsue')");
        await withSearchIndexOnce(db, () => db.exec("INSERT INTO notes (id, title, body) VALUES ('i', 'inner', 'tottori')"));
      }),
    );
    await indexMatchesNotes(db);
    expect(await found(db, "matsue OR tottori")).toEqual(["i", "o"]);
    expect(await tempObjects(db)).toEqual([]);
  });

  it("indexes a note whose update moved its rowid", async () => {
    const db = await openMemoryReplica();
    await seed(db);
    await db.transaction(() => withSearchIndexOnce(db, () => db.exec("UPDATE notes SET rowid = 1000, body = 'nagoya' WHERE id = 'a'")));
    await indexMatchesNotes(db);
    expect(await found(db, "nagoya")).toEqual(["a"]);
    expect(await found(db, "tokyo")).toEqual([]);
  });

  it("finishes the index when the writes commit their transaction themselves, then fail", async () => {
    // The commit kept the note; the swap is finished, not left with the index triggers gone.
    const db = await failAfter(async (db) => {
      await db.exec("INSERT INTO notes (id, title, body) VALUES ('k', 'kept', 'himeji')");
      await db.script("COMMIT");
    });
    expect(await found(db, "himeji")).toEqual(["k"]);
    await db.exec("INSERT INTO notes (id, title, body) VALUES ('l', 'later', 'kochi')");
    expect(await found(db, "kochi")).toEqual(["l"]);
    await indexMatchesNotes(db);
  });

  it("writes the index once, not a segment per note", async () => {
    const rows = Array.from({ length: 300 }, (_, i) => [`n${i}`, `title ${i}`, `body word${i}`]);
    const insert = `INSERT INTO notes (id, title, body) VALUES ${rows.map(() => "(?, ?, ?)").join(", ")}`;
    const rowByRow = await openMemoryReplica();
    await rowByRow.transaction(() => rowByRow.exec(insert, rows.flat()));
    const once = await openMemoryReplica();
    await once.transaction(() => withSearchIndexOnce(once, () => once.exec(insert, rows.flat())));
    await indexMatchesNotes(once);
    expect(await found(once, "word299")).toEqual(["n299"]);
    // Under the row-by-row triggers cr-sqlite's own statements made FTS5 flush a segment per note,
    // merged as they piled up, which leaves more and smaller segments (19 rows against 4 here).
    expect(await segmentRows(once)).toBeLessThan(await segmentRows(rowByRow));
  });
});
