/**
 * The contract of freshNotes.ts: notes written straight into the tables leave the device exactly
 * as cr-sqlite's own merge (`INSERT INTO crsql_changes`, real WASM) leaves it, table by table,
 * its clocks and versions included; later merges and local edits then behave the same on both;
 * whatever it cannot decide goes to cr-sqlite; and a failure leaves nothing behind.
 */
import { describe, expect, it } from "vitest";
import type { Change } from "@vlcn.io/ws-common";
import { openMemoryReplica } from "../../../testing/nodeReplica";
import { BULK_MERGE_MIN_CHANGES } from "./bulkMerge";
import { applyChanges, pullChanges, siteIdOf } from "./changes";
import { clockedNotes, freshChanges, noteColumns, noteId, writeFreshNotes } from "./freshNotes";
import { withSearchIndexOnce } from "./searchIndexOnce";
import type { SqlValue, SqliteConnection } from "./sqlite/connection";

const APPLY = `INSERT INTO crsql_changes ("table", "pk", "cid", "val", "col_version", "db_version", "site_id", "cl", "seq") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const INTEGRITY_CHECK = "INSERT INTO notes_fts (notes_fts, rank) VALUES ('integrity-check', 1)";

/** cr-sqlite's own merge of a page, in one transaction, the search index written once as the app does. */
async function mergeByCrsqlite(db: SqliteConnection, sender: Uint8Array, page: readonly Change[]) {
  await db.transaction(() =>
    withSearchIndexOnce(db, async () => {
      for (const [t, pk, cid, val, cv, dv, , cl, seq] of page) await db.exec(APPLY, [t, pk, cid, val as SqlValue, cv, dv, sender, cl, seq]);
    }),
  );
}

/** The fresh-notes path, in one transaction per page: every notes change written directly, anything else merged after. */
async function mergeFresh(db: SqliteConnection, sender: Uint8Array, page: readonly Change[]) {
  await db.transaction(() =>
    withSearchIndexOnce(db, async () => {
      const isFresh = freshChanges(page, new Set(), await noteColumns(db));
      expect(page.filter((c, i) => c[0] === "notes" && !isFresh[i])).toEqual([]);
      expect(await writeFreshNotes(db, sender, page.filter((_, i) => isFresh[i]))).toBe(true);
      for (const [t, pk, cid, val, cv, dv, , cl, seq] of page.filter((_, i) => !isFresh[i])) await db.exec(APPLY, [t, pk, cid, val as SqlValue, cv, dv, sender, cl, seq]);
    }),
  );
}

/**
 * Everything cr-sqlite and the app keep about notes, raw: rows with rowids, keys, clocks, versions,
 * the search index. With `ends` (the database's version after each transaction), a clock's
 * db_version is given as the transaction that wrote it: where notes new here were interleaved with
 * other changes, they are written first, so the exact version within a transaction may differ
 * from cr-sqlite's merge in received order (freshNotes.ts says why that is harmless).
 */
async function everything(db: SqliteConnection, ends?: readonly number[]) {
  const self = await siteIdOf(db);
  const rows = async (sql: string) => (await db.exec(sql)).rows;
  const site = (v: SqlValue) => (v instanceof Uint8Array && v.every((b, i) => b === self[i]) ? "self" : v);
  const version = (v: SqlValue) => (ends ? `transaction ${ends.findIndex((end) => Number(v) <= end)}` : v);
  return {
    notes: await rows("SELECT rowid, * FROM notes ORDER BY rowid"),
    keys: await rows("SELECT * FROM notes__crsql_pks ORDER BY __crsql_key"),
    clocks: (await rows("SELECT * FROM notes__crsql_clock ORDER BY key, col_name")).map((r) => r.map((v, i) => (i === 3 ? version(v!) : v))),
    sites: (await rows("SELECT ordinal, site_id FROM crsql_site_id ORDER BY ordinal")).map(([o, s]) => [o, site(s!)]),
    version: await rows("SELECT crsql_db_version()"),
    // Notes only: other tables hold each device's own id (a revision's device), which differs by design.
    changes: (await rows(`SELECT "table", pk, cid, val, col_version, db_version, site_id, cl, seq FROM crsql_changes WHERE "table" = 'notes' ORDER BY pk, cid`)).map((r) =>
      r.map((v, i) => (i === 6 ? site(v) : i === 5 ? version(v!) : v)),
    ),
    search: await rows("SELECT rowid, title, body FROM notes_fts ORDER BY rowid"),
    syncBit: await rows("SELECT crsql_internal_sync_bit()"),
  };
}

/** Equal, section by section, the first differing row shown (a whole-state diff is unreadable). */
function expectSame(got: Awaited<ReturnType<typeof everything>>, expected: Awaited<ReturnType<typeof everything>>) {
  const line = (row: unknown) => JSON.stringify(row, (_, v) => (typeof v === "bigint" ? `${v}n` : v instanceof Uint8Array ? `x'${Buffer.from(v).toString("hex")}'` : v));
  for (const section of Object.keys(expected) as (keyof typeof expected)[]) {
    const want = expected[section].map(line);
    const have = got[section].map(line);
    const at = want.findIndex((row, i) => row !== have[i]);
    expect({ section, at, row: have[at] ?? null, count: have.length }).toEqual({ section, at, row: want[at] ?? null, count: want.length });
  }
}

/**
 * A's history: 300 notes, a tag, edits to some notes (higher col_versions, later db_versions, so
 * their cells come apart, the tag between them), two more notes with only some columns set.
 */
async function source() {
  const a = await openMemoryReplica();
  await a.transaction(async () => {
    for (let i = 0; i < 300; i++) await a.exec("INSERT INTO notes (id, title, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?)", [`n${i}`, `apple ${i}`, `body ${i}`, i, i]);
  });
  await a.exec("INSERT INTO entities (id, kind, name) VALUES ('t1', 'tag', 'work')");
  for (let i = 0; i < 300; i += 7) await a.exec("UPDATE notes SET title = ?, pinned = 1 WHERE id = ?", [`cherry ${i}`, `n${i}`]);
  await a.exec("INSERT INTO notes (id, title) VALUES ('partial-1', 'only a title')");
  await a.exec("INSERT INTO notes (id, body, updated_at) VALUES ('partial-2', 'only a body', 5)");
  return a;
}

describe("writing notes new to this device straight into the tables", () => {
  // A new device applies each received frame in a transaction. Pages of 700 cut notes apart: a
  // note cut in two is new in the first page and known in the next, which merges its rest through
  // cr-sqlite. One page of everything holds notes whose edits come after the tag, which is
  // cr-sqlite's to merge: the new notes go first, so their versions are compared by transaction.
  for (const pageSize of [700, 100_000]) {
    it(`through the app's merge (pages of ${pageSize}), leaves notes, keys, clocks, changes and search as cr-sqlite's merge does`, async () => {
      const a = await source();
      const changes = await pullChanges(a, 0n);
      expect(changes.length).toBeGreaterThanOrEqual(3 * BULK_MERGE_MIN_CHANGES); // pages of 700 take the bulk path, hence freshNotes.ts
      const sender = await siteIdOf(a);
      const byCrsqlite = await openMemoryReplica();
      const byApp = await openMemoryReplica();
      const ends: number[][] = [[], []];
      const versionOf = async (db: SqliteConnection) => Number((await db.exec("SELECT crsql_db_version()")).rows[0]![0]);
      for (let i = 0; i < changes.length; i += pageSize) {
        const page = changes.slice(i, i + pageSize); // the last page of 700 is short: the per-cell path, as in the app
        await mergeByCrsqlite(byCrsqlite, sender, page);
        await applyChanges(byApp, sender, page);
        ends[0]!.push(await versionOf(byCrsqlite));
        ends[1]!.push(await versionOf(byApp));
      }
      expect(ends[1]).toEqual(ends[0]); // every transaction ends at the same version
      const expected = await everything(byCrsqlite, ends[0]);
      expect(expected.notes).toHaveLength(302);
      expectSame(await everything(byApp, ends[1]), expected);
      await expect(byApp.exec(INTEGRITY_CHECK)).resolves.toBeDefined();
      expect(await byApp.exec("SELECT name FROM entities")).toMatchObject({ rows: [["work"]] });
    });
  }

  it("after it, later merges and local edits behave as after cr-sqlite's merge", async () => {
    const a = await source();
    const sender = await siteIdOf(a);
    const byCrsqlite = await openMemoryReplica();
    const byHand = await openMemoryReplica();
    const first = await pullChanges(a, 0n);
    await mergeByCrsqlite(byCrsqlite, sender, first);
    await mergeFresh(byHand, sender, first);
    const seen = BigInt((await a.exec("SELECT crsql_db_version()")).rows[0]![0] as number);
    // A edits, deletes and adds; each device edits one note concurrently and deletes another.
    await a.exec("UPDATE notes SET body = 'from a' WHERE id IN ('n1', 'n2')");
    await a.exec("DELETE FROM notes WHERE id = 'n3'");
    await a.exec("INSERT INTO notes (id, title) VALUES ('late', 'late note')");
    for (const db of [byCrsqlite, byHand]) {
      await db.exec("UPDATE notes SET body = 'from b', archived = 1 WHERE id = 'n2'");
      await db.exec("DELETE FROM notes WHERE id = 'n4'");
      await db.exec("INSERT INTO notes (id, title) VALUES ('local', 'written here')");
      await applyChanges(db, sender, await pullChanges(a, seen));
    }
    const expected = await everything(byCrsqlite);
    expect(expected.notes.find((n) => n[1] === "n3")).toBeUndefined();
    expect(expected.changes.some((c) => c[6] === "self")).toBe(true); // the local writes are there to compare
    expectSame(await everything(byHand), expected);
  });

  it("leaves to cr-sqlite a note held or deleted here, one deleted or revived, a cell twice, and other tables", async () => {
    const a = await source();
    const sender = await siteIdOf(a);
    const changes = await pullChanges(a, 0n);
    const columns = await noteColumns(a);
    const pkOf = (id: string) => changes.find((c) => noteId(c[1])! === id)![1];
    const extra: Change[] = [
      ["notes", pkOf("n10"), "-1", null, 2n, 99n, null, 2n, 0], // n10 deleted
      ["notes", pkOf("n11"), "title", "again", 2n, 99n, null, 1n, 1], // n11's title twice
      ["users", pkOf("n12"), "name", "x", 1n, 99n, null, 1n, 2],
    ];
    const all = [...changes, ...extra];
    const isFresh = freshChanges(all, new Set(["n5"]), columns);
    const idsWhere = (fresh: boolean) => new Set(all.filter((_, i) => isFresh[i] === fresh).map((c) => noteId(c[1])!));
    for (const id of ["n5", "n10", "n11"]) expect(idsWhere(false).has(id)).toBe(true);
    for (const id of ["n5", "n10", "n11"]) expect(idsWhere(true).has(id)).toBe(false);
    expect(idsWhere(true).has("n6")).toBe(true);
    expect(isFresh[all.indexOf(extra[2]!)]).toBe(false); // another table's change
    // A key that is not UTF-8 (or that starts with a byte-order mark) keeps its exact bytes.
    const oddKeys: Change[] = [
      ["notes", new Uint8Array([1, 11, 2, 0xc3, 0x28]), "title", "x", 1n, 1n, null, 1n, 0],
      ["notes", new Uint8Array([1, 11, 4, 0xef, 0xbb, 0xbf, 0x61]), "title", "y", 1n, 1n, null, 1n, 0],
    ];
    expect(freshChanges(oddKeys, new Set(), columns)).toEqual([false, true]);
    expect(new TextEncoder().encode(noteId(oddKeys[1]![1]))).toEqual(new Uint8Array([0xef, 0xbb, 0xbf, 0x61]));
    // A note deleted on this device keeps a clock: it is known, never fresh.
    const b = await openMemoryReplica();
    await mergeFresh(b, sender, changes);
    await b.exec("DELETE FROM notes WHERE id = 'n7'");
    expect(await clockedNotes(b, ["n7", "n8", "nope"])).toEqual(new Set(["n7", "n8"]));
  });

  it("a value the table refuses: nothing written, sync bit back, and cr-sqlite's merge reports it as before", async () => {
    const a = await source();
    const sender = await siteIdOf(a);
    const changes = await pullChanges(a, 0n);
    const broken = changes.map((c): Change => (c[2] === "pinned" && noteId(c[1])! === "n9" ? [c[0], c[1], c[2], null, c[4], c[5], c[6], c[7], c[8]] : c));
    const b = await openMemoryReplica();
    const before = await everything(b);
    const notes = broken.filter((c) => c[0] === "notes");
    const declined = b.transaction(async () => {
      expect(freshChanges(notes, new Set(), await noteColumns(b)).every(Boolean)).toBe(true);
      expect(await writeFreshNotes(b, sender, notes)).toBe(false);
      // Before the caller goes on: nothing written, the sync bit back to 0. (The version cr-sqlite
      // will commit at was asked for; the caller's merge then fails and rolls back, as below.)
      const { version: _pending, ...rest } = await everything(b);
      const { version: _before, ...expected } = before;
      expect(rest).toEqual(expected);
      throw new Error("rolled back as the caller's failing merge would");
    });
    await expect(declined).rejects.toThrow(/rolled back/);
    expect(await everything(b)).toEqual(before);
    await expect(applyChanges(b, sender, broken)).rejects.toThrow(/constraint failed/);
    expect(await everything(b)).toEqual(before);
  });
});
