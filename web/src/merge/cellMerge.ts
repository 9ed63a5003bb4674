/**
 * The text layer over cr-sqlite's per-cell rule, run inside the transaction that applies a
 * received change (see `mergeChanges` in ../db-worker/changes.ts).
 *
 * When a remote value arrives for a text cell this device has edited and the server has not yet
 * acknowledged (its value differs from the cell's ancestor: the last value this device knows the
 * server has), the two versions are merged three ways against that ancestor and the merge is
 * written as a new local edit, so every device converges on text holding both sides. If both
 * sides changed the same words, the merge keeps the winner's (cr-sqlite's choice, the same on
 * every device) and the loser's whole version becomes a conflict revision, with an id derived
 * from its content so that two devices making the same merge make one row.
 */
import { newId } from "../../../shared/ids";
import { PK_TYPE, unpackPk } from "../../../shared/packedPk";
import type { SqliteConnection, SqlValue } from "../db-worker/sqlite/connection";
import { mergeText } from "./textMerge";

/** Text cells that merge instead of following cr-sqlite's rule alone; other tables may opt in. */
export const MERGED_TEXT_COLUMNS: Readonly<Record<string, readonly string[]>> = { notes: ["title", "body"] };

export function isMergedText(table: string, cid: string): boolean {
  return MERGED_TEXT_COLUMNS[table]?.includes(cid) ?? false;
}

/** One text cell as it went to (or came from) the server. */
export interface TextCell {
  table: string;
  pk: Uint8Array;
  cid: string;
  val: string;
}

export const cellKey = (c: { table: string; pk: Uint8Array; cid: string }) => `${c.table}\u0000${[...c.pk].join(",")}\u0000${c.cid}`;

const SET_ANCESTOR = "INSERT INTO text_ancestors (tbl, pk, cid, val) VALUES (?, ?, ?, ?) ON CONFLICT (tbl, pk, cid) DO UPDATE SET val = excluded.val";

/** Records values the server has acknowledged as the cells' ancestors. */
export async function setAncestors(db: SqliteConnection, cells: Iterable<TextCell>): Promise<void> {
  for (const c of cells) await db.exec(SET_ANCESTOR, [c.table, c.pk, c.cid, c.val]);
}

/** The row's text primary key (merged tables have a single TEXT `id`). */
function rowId(pk: Uint8Array): string | undefined {
  const [first, ...rest] = unpackPk(pk);
  if (!first || rest.length > 0 || first.type !== PK_TYPE.text) return undefined;
  return new TextDecoder().decode(first.bytes);
}

async function hexDigest(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return [...digest.subarray(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Applies one received text change through `apply` and merges it with a pending local edit.
 * `val` is the received value; the caller has checked `isMergedText`. True if it wrote a merge,
 * a local edit that must be pushed.
 */
export async function applyTextChange(db: SqliteConnection, cell: TextCell, apply: () => Promise<void>): Promise<boolean> {
  const id = rowId(cell.pk);
  if (id === undefined) return apply().then(() => false);
  const column = `"${cell.cid}"`;
  const read = async () => (await db.exec(`SELECT ${column} FROM "${cell.table}" WHERE id = ?`, [id])).rows[0]?.[0] as string | undefined;
  const before = await read();
  // Only a value this device wrote can be an unacknowledged edit: a column left at its default by
  // a row that arrived from elsewhere has no clock entry of this device's.
  // Read from cr-sqlite's clock table (0.16 layout: site_id 0 is this device): filtering
  // crsql_changes by pk scans every change, which made a large sync quadratic.
  const origin =
    before === undefined
      ? undefined
      : await db.exec(
          `SELECT c.site_id = 0 FROM "${cell.table}__crsql_clock" c JOIN "${cell.table}__crsql_pks" p ON p.__crsql_key = c.key WHERE p.id = ? AND c.col_name = ?`,
          [id, cell.cid],
        );
  const writtenHere = Number(origin?.rows[0]?.[0] ?? 0) === 1;
  if (!writtenHere || before === undefined) {
    // Nothing of this device's in the cell (a new device's first sync, most often): no pending
    // edit and nothing to keep, so no ancestor to read; only remember the server's value.
    await apply();
    if ((await read()) === cell.val) await setAncestors(db, [cell]);
    return false;
  }
  const ancestorRow = (await db.exec("SELECT val FROM text_ancestors WHERE tbl = ? AND pk = ? AND cid = ?", [cell.table, cell.pk, cell.cid])).rows[0];
  const ancestor = ancestorRow?.[0] as string | undefined;
  await apply();
  const after = await read();
  const pending = before !== ancestor;
  // The server has the received value; if it lost to an acknowledged local one, the server has that too.
  if (pending || after === cell.val) await setAncestors(db, [cell]);
  if (!pending) {
    // A value written here and already acknowledged, replaced by another device's: the other
    // device may not have seen it (two pushes can race at the server), so it goes to history.
    if (after === cell.val && before !== cell.val && cell.table === "notes") {
      await keepRevision(db, "replaced", id, cell.cid, before);
      return true;
    }
    return false;
  }
  if (before === cell.val || after === undefined) return false;
  if (after !== before && after !== cell.val) return false; // the row itself changed (deleted, revived)
  const winner = after;
  const loser = after === cell.val ? before : cell.val;
  const merged = ancestor === undefined ? { text: winner, conflict: true } : mergeText(ancestor, winner, loser);
  if (merged.text !== after) await db.exec(`UPDATE "${cell.table}" SET ${column} = ? WHERE id = ?`, [merged.text, id]);
  // The merge holds everything both sides wrote: it is the base for what comes next, so a merge is
  // never merged again with another device's merge (which would never settle). If another
  // device's merge replaces it, the "replaced" revision above keeps it.
  await setAncestors(db, [{ ...cell, val: merged.text }]);
  if (merged.conflict && cell.table === "notes") await keepConflict(db, id, cell.cid, ancestor ?? "", winner, loser);
  return merged.text !== after || merged.conflict;
}

/** The loser's version of the note as a conflict revision (one row however many devices merge). */
async function keepConflict(db: SqliteConnection, noteId: string, cid: string, ancestor: string, winner: string, loser: string): Promise<void> {
  const id = "r_" + (await hexDigest(["conflict", noteId, cid, ancestor, winner, loser].join("\u0000")));
  await insertRevision(db, id, "conflict", noteId, cid, loser);
}

/** The note as it was with `text` in `cid`, kept in its history. */
async function keepRevision(db: SqliteConnection, kind: "replaced", noteId: string, cid: string, text: string): Promise<void> {
  await insertRevision(db, newId(), kind, noteId, cid, text);
}

async function insertRevision(db: SqliteConnection, id: string, kind: string, noteId: string, cid: string, text: string): Promise<void> {
  const { rows } = await db.exec("SELECT title, body FROM notes WHERE id = ?", [noteId]);
  const [title, body] = rows[0] as [string, string];
  const site = (await db.exec("SELECT hex(crsql_site_id())")).rows[0]![0] as SqlValue;
  await db.exec(
    `INSERT INTO note_revisions (id, note_id, kind, title, body, device, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    [id, noteId, kind, cid === "title" ? text : title, cid === "body" ? text : body, site, Date.now()],
  );
}
