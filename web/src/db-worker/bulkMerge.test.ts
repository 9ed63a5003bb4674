/**
 * A large received batch (bulkMerge.ts) must leave a device exactly as the per-cell path does:
 * the same notes, the same merge ancestors, a search index that matches the notes, the same
 * three-way merge of a pending local edit, and on failure nothing changed (triggers included).
 */
import { describe, expect, it } from "vitest";
import type { Change } from "@vlcn.io/ws-common";
import { openMemoryReplica } from "../../../testing/nodeReplica";
import { applyChanges, pullChanges, siteIdOf } from "./changes";
import { BULK_MERGE_MIN_CHANGES } from "./bulkMerge";
import type { SqliteConnection } from "./sqlite/connection";

const INTEGRITY_CHECK = "INSERT INTO notes_fts (notes_fts, rank) VALUES ('integrity-check', 1)";

async function insertNotes(db: SqliteConnection, from: number, to: number, word: string) {
  for (let i = from; i < to; i++) await db.exec("INSERT INTO notes (id, title, body) VALUES (?, ?, ?)", [`n${i}`, `${word} title ${i}`, `line one ${i}\nline two ${word}\nline three`]);
}

/** Applies in batches of `size`: under BULK_MERGE_MIN_CHANGES the per-cell path, else the bulk one. */
async function applyIn(db: SqliteConnection, sender: Uint8Array, changes: Change[], size: number) {
  for (let i = 0; i < changes.length; i += size) await applyChanges(db, sender, changes.slice(i, i + size));
}

async function state(db: SqliteConnection) {
  const rows = async (sql: string) => (await db.exec(sql)).rows;
  return {
    notes: await rows("SELECT id, title, body FROM notes ORDER BY id"),
    ancestors: await rows("SELECT tbl, hex(pk), cid, val FROM text_ancestors ORDER BY tbl, pk, cid"),
    search: await rows("SELECT n.id FROM notes_fts JOIN notes n ON n.rowid = notes_fts.rowid WHERE notes_fts MATCH 'apple OR cherry OR merged' ORDER BY n.id"),
    triggers: await rows("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'notes_fts_%' ORDER BY name"),
  };
}

/** B holds 100 of A's notes and a pending edit of one; A then edits that note and writes 300 more. */
async function scenario(batch: number) {
  const a = await openMemoryReplica();
  const b = await openMemoryReplica();
  const siteA = await siteIdOf(a);
  await insertNotes(a, 0, 100, "apple");
  const first = await pullChanges(a, 0n);
  await applyIn(b, siteA, first, 50);
  const seen = BigInt((await a.exec("SELECT crsql_db_version()")).rows[0]![0] as number);
  await b.exec("UPDATE notes SET body = ? WHERE id = 'n1'", ["line one 1 merged here\nline two apple\nline three"]);
  await a.exec("UPDATE notes SET body = ? WHERE id = 'n1'", ["line one 1\nline two apple\nline three cherry"]);
  await a.exec("DELETE FROM notes WHERE id = 'n2'");
  await insertNotes(a, 100, 400, "cherry");
  await applyIn(b, siteA, await pullChanges(a, seen), batch);
  return { b, total: (await pullChanges(a, seen)).length };
}

describe("merging a large batch", () => {
  it("leaves the device as the per-cell path does: notes, ancestors, search, a three-way merge", async () => {
    const perCell = await scenario(50);
    const bulk = await scenario(100_000);
    expect(bulk.total).toBeGreaterThanOrEqual(BULK_MERGE_MIN_CHANGES); // the bulk path really ran
    const expected = await state(perCell.b);
    const got = await state(bulk.b);
    expect(got).toEqual(expected);
    expect(got.triggers).toHaveLength(3);
    expect(got.notes.find((n) => n[0] === "n1")?.[2]).toBe("line one 1 merged here\nline two apple\nline three cherry");
    await expect(bulk.b.exec(INTEGRITY_CHECK)).resolves.toBeDefined();
    // Local writes after the batch still reach the index through the restored triggers.
    await bulk.b.exec("UPDATE notes SET title = 'plum pudding' WHERE id = 'n300'");
    expect((await bulk.b.exec("SELECT count(*) FROM notes_fts WHERE notes_fts MATCH 'plum'")).rows[0]![0]).toBe(1);
  });

  it("a batch that fails halfway changes nothing, triggers and index included", async () => {
    const a = await openMemoryReplica();
    const b = await openMemoryReplica();
    await insertNotes(a, 0, 200, "apple");
    const changes = await pullChanges(a, 0n);
    const broken: Change[] = [...changes, ["no_such_table", changes[0]![1], "title", "x", 1n, 1n, null, 1n, 0]];
    await expect(applyChanges(b, await siteIdOf(a), broken)).rejects.toThrow();
    const after = await state(b);
    expect(after.notes).toEqual([]);
    expect(after.triggers).toHaveLength(3);
    await expect(b.exec(INTEGRITY_CHECK)).resolves.toBeDefined();
  });
});
