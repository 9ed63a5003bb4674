import { describe, expect, it, vi } from "vitest";
import { openMemoryReplica } from "../../../testing/nodeReplica";
import { clockIndexOf, clockTables, ensureClockIndexes, quoted } from "./clockIndexes";
import { prepareDatabase } from "./prepare";
import type { SqliteConnection } from "./sqlite/connection";

/** The plan SQLite picks for the clock-table reads an upload's paging makes (syncDb.ts: a window of seqs, a version's last seq). */
const plans = async (db: SqliteConnection) => [
  ...(await db.exec('EXPLAIN QUERY PLAN SELECT key, col_name FROM "notes__crsql_clock" WHERE db_version = ? AND seq >= ? AND seq < ?', [1, 0, 100])).rows,
  ...(await db.exec('EXPLAIN QUERY PLAN SELECT max(seq) FROM "notes__crsql_clock" WHERE db_version = ?', [1])).rows,
].map((row) => String(row.at(-1)));

/** As a database from before the indexes was. */
async function dropClockIndexes(db: SqliteConnection): Promise<void> {
  for (const table of await clockTables(db)) await db.exec(`DROP INDEX ${quoted(clockIndexOf(table))}`);
}

describe("clock indexes", () => {
  it("every clock table of a prepared database has its (db_version, seq) index, and an upload's window reads only its own seqs", async () => {
    const db = await openMemoryReplica();
    const clocks = await clockTables(db);
    expect(clocks.length).toBeGreaterThan(5);
    const indexed = (await db.exec("SELECT tbl_name FROM sqlite_master WHERE type = 'index' AND name LIKE '%\\_dbv\\_seq' ESCAPE '\\' ORDER BY tbl_name")).rows.map((r) => r[0]);
    expect(indexed).toEqual(clocks);
    // Both by the range of seqs, not every row of the version (cr-sqlite's own index is on db_version alone).
    expect(await plans(db)).toEqual([expect.stringMatching(/notes__crsql_clock_dbv_seq \(db_version=\? AND seq>\? AND seq<\?\)/), expect.stringMatching(/notes__crsql_clock_dbv_seq/)]);
  });

  it("a database from before the index gets it at its next open, with what it held unchanged", async () => {
    const db = await openMemoryReplica();
    await db.exec("INSERT INTO notes (id, title) VALUES ('n1', 'kept'), ('n2', 'also kept')");
    const changes = (await db.exec("SELECT count(*) FROM crsql_changes")).rows;
    await dropClockIndexes(db);
    expect((await plans(db))[0]).not.toMatch(/dbv_seq/);

    await prepareDatabase(db);
    expect((await plans(db))[0]).toMatch(/notes__crsql_clock_dbv_seq/);
    expect((await db.exec("SELECT id, title FROM notes ORDER BY id")).rows).toEqual([
      ["n1", "kept"],
      ["n2", "also kept"],
    ]);
    expect((await db.exec("SELECT count(*) FROM crsql_changes")).rows).toEqual(changes);
    expect((await db.exec("PRAGMA integrity_check")).rows).toEqual([["ok"]]);
  });

  it("an open with every index in place writes nothing", async () => {
    const db = await openMemoryReplica();
    const before = (await db.exec("PRAGMA schema_version")).rows;
    await ensureClockIndexes(db);
    expect((await db.exec("PRAGMA schema_version")).rows).toEqual(before);
  });

  it("one that cannot be made is reported and skipped: the others are made, and the database opens", async () => {
    const db = await openMemoryReplica();
    await dropClockIndexes(db);
    // A table holding one index's name: that CREATE INDEX must fail.
    await db.exec(`CREATE TABLE ${quoted(clockIndexOf("users__crsql_clock"))} (a)`);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    try {
      await prepareDatabase(db);
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/users__crsql_clock: .*already/));
    } finally {
      warn.mockRestore();
    }
    expect((await plans(db))[0]).toMatch(/notes__crsql_clock_dbv_seq/);
    await db.exec("INSERT INTO notes (id, title) VALUES ('n1', 'still writable')");
    expect((await db.exec("SELECT title FROM notes")).rows).toEqual([["still writable"]]);
  });
});
