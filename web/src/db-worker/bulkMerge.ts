/**
 * Merging a large batch of received changes (a new device's first sync, a long offline backlog)
 * at close to the cost of writing the same rows locally. Profiled on 10,000 notes (70,000 changes,
 * Node, real cr-sqlite; see README "Where a first sync's time goes"): cr-sqlite applies a note
 * cell by cell, so the search index triggers ran once per cell (an insert, then a delete and an
 * insert for each text column), and the text-merge check ran four statements per text cell. Here:
 * - the search index is updated once per note for the whole batch (searchIndexOnce.ts);
 * - a text cell of a note this device did not hold when the batch began cannot hold an
 *   unacknowledged local edit: it is applied directly, and its ancestor recorded in one
 *   statement per chunk afterwards (only where the received value won, as the per-cell path does).
 * - notes this device never held are written straight into the tables (freshNotes.ts), not
 *   through cr-sqlite's merge one cell at a time.
 * Cells of notes that existed still take the per-cell path (three-way merge of pending edits).
 */
import type { Change } from "@vlcn.io/ws-common";
import { isMergedText, type TextCell } from "../merge/cellMerge";
import { clockedNotes, freshChanges, noteColumns, noteId, writeFreshNotes } from "./freshNotes";
import { withSearchIndexOnce } from "./searchIndexOnce";
import type { SqliteConnection } from "./sqlite/connection";

/** Smaller batches take the per-cell path: dropping and re-creating three triggers costs ~ a few hundred cells. */
export const BULK_MERGE_MIN_CHANGES = 500;

/**
 * Merges `changes` from `sender` inside the caller's transaction. `mergeOne` is the per-cell path
 * (text merge included); `applyOne` writes a change into crsql_changes and nothing else. Returns
 * the local writes the text merge made.
 */
export async function mergeBulk(
  db: SqliteConnection,
  sender: Uint8Array,
  changes: readonly Change[],
  mergeOne: (change: Change) => Promise<number>,
  applyOne: (change: Change) => Promise<void>,
): Promise<number> {
  const touched = new Set<string>();
  for (const [table, pk] of changes) {
    if (table !== "notes") continue;
    const id = noteId(pk);
    if (id !== undefined) touched.add(id);
  }
  const existing = new Set(
    (await db.exec("SELECT id FROM notes WHERE id IN (SELECT value FROM json_each(?))", [JSON.stringify([...touched])])).rows.map((r) => r[0] as string),
  );
  const known = new Set([...existing, ...(await clockedNotes(db, [...touched]))]);
  const isFresh = freshChanges(changes, known, await noteColumns(db));
  return withSearchIndexOnce(db, async () => {
    let localWrites = 0;
    const fresh: TextCell[] = [];
    // Notes new here first, written whole (freshNotes.ts); then the rest, in the order received.
    const direct = changes.filter((_, i) => isFresh[i]);
    const written = await writeFreshNotes(db, sender, direct);
    if (written) {
      for (const [table, pk, cid, val] of direct) if (typeof val === "string" && isMergedText(table, cid)) fresh.push({ table, pk, cid, val });
    }
    for (const [i, change] of changes.entries()) {
      if (written && isFresh[i]) continue;
      const [table, pk, cid, val] = change;
      const id = table === "notes" ? noteId(pk) : undefined;
      if (id !== undefined && !existing.has(id) && typeof val === "string" && isMergedText(table, cid)) {
        await applyOne(change);
        fresh.push({ table, pk, cid, val });
      } else localWrites += await mergeOne(change);
    }
    await setAncestorsWhereCurrent(db, fresh);
    return localWrites;
  });
}

/** Rows per ancestor statement (5 parameters each, far under SQLite's 32,766). */
const ANCESTOR_CHUNK = 500;

/**
 * Records each received note text as its cell's ancestor where it is the cell's value now (it won),
 * as the per-cell path does after applying: one statement per chunk instead of two per cell.
 */
async function setAncestorsWhereCurrent(db: SqliteConnection, cells: readonly TextCell[]): Promise<void> {
  for (let i = 0; i < cells.length; i += ANCESTOR_CHUNK) {
    const chunk = cells.slice(i, i + ANCESTOR_CHUNK);
    await db.exec(
      `INSERT INTO text_ancestors (tbl, pk, cid, val)
       SELECT v.column1, v.column2, v.column3, v.column4 FROM (VALUES ${chunk.map(() => "(?, ?, ?, ?, ?)").join(", ")}) AS v
       JOIN notes AS n ON n.id = v.column5
       WHERE (v.column3 = 'title' AND n.title = v.column4) OR (v.column3 = 'body' AND n.body = v.column4)
       ON CONFLICT (tbl, pk, cid) DO UPDATE SET val = excluded.val`,
      chunk.flatMap((c) => [c.table, c.pk, c.cid, c.val, noteId(c.pk)!]),
    );
  }
}
