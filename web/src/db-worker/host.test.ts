import { beforeEach, describe, expect, it } from "vitest";
import { DatabaseHost, SEARCH_INDEX_ONCE_MIN_PARAMS } from "./host";
import { READS } from "./reads";
import type { SqlStatement } from "../db/protocol";
import { openMemoryReplica } from "../../../testing/nodeReplica";

const run = (sql: string, params: SqlStatement["params"] = []): SqlStatement => ({ sql, params, method: "run" });
const all = (sql: string, params: SqlStatement["params"] = []): SqlStatement => ({ sql, params, method: "all" });
/** One INSERT of just enough notes (`word<i> lantern`) to reach the batch size whose search index is written once. */
const largeInsert = (): SqlStatement => {
  const notes = Array.from({ length: Math.ceil(SEARCH_INDEX_ONCE_MIN_PARAMS / 3) }, (_, i) => [`n${i}`, `note ${i}`, `word${i} lantern`]);
  return run(`INSERT INTO notes (id, title, body) VALUES ${notes.map(() => "(?, ?, ?)").join(", ")}`, notes.flat());
};

describe("DatabaseHost", () => {
  let host: DatabaseHost;
  beforeEach(async () => {
    host = new DatabaseHost(await openMemoryReplica());
  });

  it("reports the tables a write changed and the tables a read used", async () => {
    const write = await host.handle({ kind: "query", statement: run("INSERT INTO notes (id, title) VALUES ('n1', 'a')") });
    expect(write.changed.sort()).toEqual(["note_list_counts", "notes"]); // a new note changes the list's kept counts (notes/listCounts.ts)
    const read = await host.handle({
      kind: "query",
      statement: all("SELECT n.title FROM notes n JOIN note_entities ne ON ne.note_id = n.id"),
    });
    expect(read.changed).toEqual([]);
    expect(((read.value as { tables: string[] }).tables).sort()).toEqual(["note_entities", "notes"]);
  });

  it("runs a batch in one transaction: one failing statement undoes the others", async () => {
    await expect(
      host.handle({
        kind: "batch",
        statements: [run("INSERT INTO notes (id) VALUES ('n1')"), run("INSERT INTO notes (id) VALUES ('n1')")],
      }),
    ).rejects.toThrow(/UNIQUE|constraint/i);
    const { value } = await host.handle({ kind: "query", statement: all("SELECT count(*) FROM notes") });
    expect((value as { rows: unknown[][] }).rows).toEqual([[0]]);
  });

  it("refuses transaction statements sent one by one, which other tabs' writes could interleave", async () => {
    await expect(host.handle({ kind: "query", statement: run("BEGIN") })).rejects.toThrow(/db\.batch/);
    await expect(host.handle({ kind: "query", statement: run("  savepoint x") })).rejects.toThrow(/db\.batch/);
    await expect(host.handle({ kind: "query", statement: run("/* why */ -- not\n COMMIT") })).rejects.toThrow(/db\.batch/);
  });

  it("refuses a batch that would end its own transaction halfway, and writes none of it", async () => {
    const insert = largeInsert();
    for (const control of ["COMMIT", "/* a */ rollback", "RELEASE x"]) {
      await expect(host.handle({ kind: "batch", statements: [insert, run(control), run("INSERT INTO no_such_table VALUES (1)")] })).rejects.toThrow(/one transaction of its own/);
    }
    const { value } = await host.handle({ kind: "query", statement: all("SELECT (SELECT count(*) FROM notes), (SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'notes_fts_%')") });
    expect((value as { rows: unknown[][] }).rows).toEqual([[0, 3]]);
  });

  it("runs a named read with Drizzle on its own connection, answering the value and every table it read", async () => {
    const reading = new DatabaseHost(await openMemoryReplica(), () => {}, { reads: READS });
    await reading.handle({ kind: "batch", statements: [run("INSERT INTO notes (id, title, updated_at) VALUES ('n1', 'older', 1)"), run("INSERT INTO notes (id, title, updated_at) VALUES ('n2', 'newer', 2)")] });
    const { value, changed } = await reading.handle({ kind: "read", name: "noteWindow", args: { sort: "edited", offset: 0, limit: 10, key: "k" } });
    expect(changed).toEqual([]);
    const result = value as { value: { key: string; count: number; offset: number; rows: Array<{ title: string }> }; tables: string[] };
    expect(result.value.key).toBe("k");
    expect(result.value.count).toBe(2);
    expect(result.value.rows.map((r) => r.title)).toEqual(["newer", "older"]);
    expect(result.tables).toContain("notes");
    const conflicts = await reading.handle({ kind: "read", name: "conflictedNoteIds", args: null });
    expect(conflicts.value).toEqual({ value: new Set(), tables: ["note_revisions"] });
  });

  it("refuses a read it does not know, by name, and keeps serving", async () => {
    const reading = new DatabaseHost(await openMemoryReplica(), () => {}, { reads: READS });
    await expect(reading.handle({ kind: "read", name: "toString", args: null })).rejects.toThrow(/there is no read named toString/);
    await expect(host.handle({ kind: "read", name: "noteWindow", args: null })).rejects.toThrow(/there is no read named noteWindow/);
    expect(((await reading.handle({ kind: "read", name: "hasNotes", args: null })).value as { value: boolean }).value).toBe(false);
  });

  it("keeps serving after a failed request", async () => {
    await expect(host.handle({ kind: "query", statement: all("SELECT * FROM no_such_table") })).rejects.toThrow(/no such table/);
    const { value } = await host.handle({ kind: "query", statement: all("SELECT 1") });
    expect((value as { rows: unknown[][] }).rows).toEqual([[1]]);
  });

  it("indexes a large batch for search once at its end, and a failing one not at all", async () => {
    const insert = largeInsert();
    const notes = insert.params.length / 3;
    const count = async (sql: string) => ((await host.handle({ kind: "query", statement: all(sql) })).value as { rows: unknown[][] }).rows[0]![0];
    const triggers = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'notes_fts_%'";
    await expect(host.handle({ kind: "batch", statements: [insert, run("INSERT INTO no_such_table VALUES (1)")] })).rejects.toThrow(/no such table/);
    expect(await count("SELECT count(*) FROM notes_fts WHERE notes_fts MATCH 'lantern'")).toBe(0);
    expect(await count(triggers)).toBe(3);

    const { changed } = await host.handle({ kind: "batch", statements: [insert] });
    expect(changed).toContain("notes");
    expect(await count("SELECT count(*) FROM notes_fts WHERE notes_fts MATCH 'lantern'")).toBe(notes);
    expect(await count(`SELECT count(*) FROM notes_fts WHERE notes_fts MATCH 'word${notes - 1}'`)).toBe(1);
    expect(await count(triggers)).toBe(3);
    await host.handle({ kind: "query", statement: run("INSERT INTO notes_fts (notes_fts, rank) VALUES ('integrity-check', 1)") });
  });
});

describe("DatabaseHost guarding the device's credentials", () => {
  it("refuses page requests that read or change local_settings, directly or through a view, and leaves the rest alone", async () => {
    const connection = await openMemoryReplica();
    await connection.exec("INSERT INTO local_settings (key, value) VALUES ('sync.token', 'secret')");
    // A view made in development (or by an older build) still cannot be read through.
    await connection.exec("CREATE VIEW innocent AS SELECT value FROM local_settings");
    const host = new DatabaseHost(connection, () => {}, { guardPrivate: true });
    for (const sql of [
      "SELECT value FROM local_settings",
      "SELECT value FROM \"LOCAL_SETTINGS\"",
      "UPDATE local_settings SET value = 'x'",
      "SELECT * FROM innocent",
      "ATTACH ':memory:' AS other",
      "PRAGMA writable_schema = ON",
    ]) {
      // Twice: the second answer comes from the check remembered for that SQL text.
      for (const attempt of [1, 2]) {
        await expect(host.handle({ kind: "query", statement: all(sql) }), `${sql} (${attempt})`).rejects.toThrow(/settings and credentials cannot be read or changed/);
      }
    }
    expect((await connection.exec("SELECT value FROM local_settings")).rows).toEqual([["secret"]]);
    await host.handle({ kind: "query", statement: run("INSERT INTO notes (id, title) VALUES ('n1', 'fine')") });
    expect(((await host.handle({ kind: "query", statement: all("PRAGMA integrity_check") })).value as { rows: unknown[][] }).rows).toEqual([["ok"]]);
    expect(((await host.handle({ kind: "query", statement: all("SELECT title FROM notes") })).value as { rows: unknown[][] }).rows).toEqual([["fine"]]);
    // The worker's own work (sync) still reaches them.
    expect(await host.exclusive(async (db) => (await db.exec("SELECT value FROM local_settings")).rows)).toEqual([["secret"]]);
  });
});
