/**
 * The contract of freshNotes.ts: notes written straight into the tables leave the device exactly
 * as cr-sqlite's own merge (`INSERT INTO crsql_changes`, real WASM) leaves it, table by table,
 * its clocks and versions included; later merges and local edits then behave the same on both;
 * whatever it cannot decide goes to cr-sqlite; and a failure leaves nothing behind.
 */
import { describe, expect, it } from "vitest";
import type { Change } from "@vlcn.io/ws-common";
import { openMemoryReplica } from "../../../testing/nodeReplica";
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

/** The fresh-notes path alone, in one transaction per page; throws if it declined. */
async function mergeFresh(db: SqliteConnection, sender: Uint8Array, page: readonly Change[]) {
  await db.transaction(() =>
    withSearchIndexOnce(db, async () => {
      expect(freshChanges(page, new Set(), await noteColumns(db)).every(Boolean)).toBe(true);
      expect(await writeFreshNotes(db, sender, page)).toBe(true);
    }),
  );
}

/** Everything cr-sqlite and the app keep about notes, raw: rows with rowids, keys, clocks, versions, the search index. */
async function everything(db: SqliteConnection) {
  const self = await siteIdOf(db);
  const rows = async (sql: string) => (await db.exec(sql)).rows;
  const site = (v: SqlValue) => (v instanceof Uint8Array && v.every((b, i) => b === self[i]) ? "self" : v);
  return {
    notes: await rows("SELECT rowid, * FROM notes ORDER BY rowid"),
    keys: await rows("SELECT * FROM notes__crsql_pks ORDER BY __crsql_key"),
    clocks: await rows("SELECT * FROM notes__crsql_clock ORDER BY key, col_name"),
    sites: (await rows("SELECT ordinal, site_id FROM crsql_site_id ORDER BY ordinal")).map(([o, s]) => [o, site(s!)]),
    version: await rows("SELECT crsql_db_version()"),
    // Notes only: other tables hold each device's own id (a revision's device), which differs by design.
    changes: (await rows(`SELECT "table", pk, cid, val, col_version, db_version, site_id, cl, seq FROM crsql_changes WHERE "table" = 'notes' ORDER BY db_version, seq, pk, cid`)).map((r) =>
      r.map((v, i) => (i === 6 ? site(v) : v)),
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

/** A's history: 300 notes, edits to some (higher col_versions, later db_versions), two more notes with only some columns set. */
async function source() {
  const a = await openMemoryReplica();
  await a.transaction(async () => {
    for (let i = 0; i < 300; i++) await a.exec("INSERT INTO notes (id, title, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?)", [`n${i}`, `apple ${i}`, `body ${i}`, i, i]);
  });
  for (let i = 0; i < 300; i += 7) await a.exec("UPDATE notes SET title = ?, pinned = 1 WHERE id = ?", [`cherry ${i}`, `n${i}`]);
  await a.exec("INSERT INTO notes (id, title) VALUES ('partial-1', 'only a title')");
  await a.exec("INSERT INTO notes (id, body, updated_at) VALUES ('partial-2', 'only a body', 5)");
  return a;
}

describe("writing notes new to this device straight into the tables", () => {
  it("leaves notes, keys, clocks, versions, changes and search exactly as cr-sqlite's merge does", async () => {
    const a = await source();
    const changes = await pullChanges(a, 0n);
    const sender = await siteIdOf(a);
    // Pages that cut notes apart (a new device applies each received frame in a transaction): a
    // note cut in two is fresh in the first page and known in the second, so that page goes to cr-sqlite.
    const byCrsqlite = await openMemoryReplica();
    const byHand = await openMemoryReplica();
    for (let i = 0; i < changes.length; i += 700) {
      const page = changes.slice(i, i + 700);
      await mergeByCrsqlite(byCrsqlite, sender, page);
      await byHand.transaction(() =>
        withSearchIndexOnce(byHand, async () => {
          const ids = [...new Set(page.map((c) => noteId(c[1])!))];
          const isFresh = freshChanges(page, await clockedNotes(byHand, ids), await noteColumns(byHand));
          // Runs of fresh changes written by hand, the rest merged by cr-sqlite, in the order received (as bulkMerge.ts does).
          for (let start = 0; start < page.length; ) {
            let end = start + 1;
            while (end < page.length && isFresh[end] === isFresh[start]) end++;
            if (isFresh[start]) expect(await writeFreshNotes(byHand, sender, page.slice(start, end))).toBe(true);
            else for (const [t, pk, cid, val, cv, dv, , cl, seq] of page.slice(start, end)) await byHand.exec(APPLY, [t, pk, cid, val as SqlValue, cv, dv, sender, cl, seq]);
            start = end;
          }
        }),
      );
    }
    const expected = await everything(byCrsqlite);
    expect(expected.notes).toHaveLength(302);
    expectSame(await everything(byHand), expected);
    await expect(byHand.exec(INTEGRITY_CHECK)).resolves.toBeDefined();
  });

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
    for (const id of ["n5", "n10", "n11", "n12"]) expect(idsWhere(false).has(id)).toBe(true);
    for (const id of ["n5", "n10", "n11"]) expect(idsWhere(true).has(id)).toBe(false);
    expect(idsWhere(true).has("n6")).toBe(true);
    // A note whose changes another note's merge interrupts is merged too (runs keep the order received).
    const n20 = changes.filter((c) => noteId(c[1]) === "n20");
    const interrupted = [...changes.filter((c) => noteId(c[1]) !== "n20"), n20[0]!, extra[0]!, ...n20.slice(1)];
    const interruptedFresh = freshChanges(interrupted, new Set(), columns);
    expect(interrupted.filter((c, i) => noteId(c[1]) === "n20" && interruptedFresh[i])).toEqual([]);
    const freshIn = (id: string) => interrupted.some((c, i) => noteId(c[1]) === id && interruptedFresh[i]);
    expect(freshIn("n6")).toBe(true);
    // n0's title was edited later, so its changes span n10's, which the delete hands to cr-sqlite.
    expect(freshIn("n0")).toBe(false);
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
    const declined = b.transaction(async () => {
      expect(freshChanges(broken, new Set(), await noteColumns(b)).every(Boolean)).toBe(true);
      expect(await writeFreshNotes(b, sender, broken)).toBe(false);
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
