/**
 * Reading and applying cr-sqlite changesets with exact value types.
 *
 * ws-common sends a JS number as float64, and wa-sqlite binds a non-int32 number as REAL, so an
 * INTEGER such as a millisecond timestamp would arrive on the other device as a REAL (and a REAL
 * such as 2.0 as an INTEGER). cr-sqlite breaks a tie between equal column versions by comparing
 * the values, type first (INTEGER beats REAL): when two devices edit the same cell concurrently,
 * each receives the other's value under the losing type and keeps its own, and they never
 * converge. Here every INTEGER travels as a BigInt (wire type BIGINT) and every REAL as a number,
 * decided by SQLite's own `typeof`, not by guessing from the JS value.
 *
 * This file holds the one copy of the SQL that merges received changes: the sync adapter
 * (web/src/sync/syncDb.ts) applies through `mergeChanges`, and so do the tests.
 */
import type { Change } from "@vlcn.io/ws-common";
import { applyTextChange, isMergedText } from "../merge/cellMerge";
import { BULK_MERGE_MIN_CHANGES, mergeBulk } from "./bulkMerge";
import type { SqlValue, SqliteConnection } from "./sqlite/connection";

/** The columns `rowToChange` expects, in order; `siteId` "NULL" leaves the origin out. */
export const changeColumns = (siteId: '"site_id"' | "NULL" = '"site_id"') =>
  `"table", "pk", "cid", "val", typeof("val"), "col_version", "db_version", ${siteId}, "cl", "seq"`;

const PULL_SQL = `SELECT ${changeColumns()} FROM crsql_changes WHERE db_version > ? ORDER BY db_version, seq`;

const APPLY_SQL = `INSERT INTO crsql_changes ("table", "pk", "cid", "val", "col_version", "db_version", "site_id", "cl", "seq")
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** A cell value as it must travel: INTEGER as BigInt, REAL as number, TEXT, BLOB or NULL. */
export function exactValue(value: SqlValue, sqliteType: string): SqlValue {
  if (sqliteType === "integer") return BigInt(value as number | bigint);
  return value;
}

/** A `changeColumns()` row's place in commit order, (db_version, seq), without converting its value. */
export function rowPosition([, , , , , , dbVersion, , , seq]: SqlValue[]): [bigint, number] {
  return [BigInt(dbVersion as number), Number(seq)];
}

/** A row selected with `changeColumns()` as a wire change. */
export function rowToChange([table, pk, cid, val, type, colVersion, dbVersion, siteId, cl, seq]: SqlValue[]): Change {
  return [
    table as string,
    pk as Uint8Array,
    cid as string,
    exactValue(val!, type as string),
    BigInt(colVersion as number),
    BigInt(dbVersion as number),
    (siteId as Uint8Array | null) ?? null,
    BigInt(cl as number),
    Number(seq),
  ];
}

/** Every change with db_version above `since`, in commit order, typed for the wire. */
export async function pullChanges(db: SqliteConnection, since: bigint): Promise<Change[]> {
  const { rows } = await db.exec(PULL_SQL, [since]);
  return rows.map(rowToChange);
}

/**
 * Merges changes received from `sender`; call it inside a transaction. Returns how many local
 * writes the text merge made (they must be pushed like any local edit). Every change is attributed
 * to `sender`, whatever site id it carries: the server sends none (it would be stored as null,
 * which cr-sqlite reads as a local write and pushes back out as this device's own), and the
 * device excludes the server's site id when it pulls, so nothing it received goes back.
 */
export async function mergeChanges(db: SqliteConnection, sender: Uint8Array, changes: readonly Change[]): Promise<number> {
  try {
    return await mergeAll(db, sender, changes);
  } catch (error) {
    // cr-sqlite sets its sync bit around a merge's row write and leaves it set when that write
    // fails (a value the table refuses, a full disk): every later local write on this connection
    // would then go unclocked, and never sync. The caller rolls back; the bit is not part of the
    // transaction. The merge's own error is the one to report.
    await db.exec("SELECT crsql_internal_sync_bit(0)").catch(() => undefined);
    throw error;
  }
}

async function mergeAll(db: SqliteConnection, sender: Uint8Array, changes: readonly Change[]): Promise<number> {
  const apply = async ([table, pk, cid, val, colVersion, dbVersion, , cl, seq]: Change) =>
    void (await db.exec(APPLY_SQL, [table, pk, cid, val as SqlValue, colVersion, dbVersion, sender, cl, seq]));
  const mergeOne = async (change: Change): Promise<number> => {
    const [table, pk, cid, val] = change;
    // Text cells merge with this device's unacknowledged edits (web/src/merge/cellMerge.ts); a
    // merge, or a revision kept, is a local write that must be pushed.
    if (typeof val === "string" && isMergedText(table, cid)) return Number(await applyTextChange(db, { table, pk, cid, val }, () => apply(change)));
    await apply(change);
    return 0;
  };
  // A large batch (a first sync, a long backlog) indexes and records ancestors per batch: bulkMerge.ts.
  if (changes.length >= BULK_MERGE_MIN_CHANGES) return mergeBulk(db, sender, changes, mergeOne, apply);
  let localWrites = 0;
  for (const change of changes) localWrites += await mergeOne(change);
  return localWrites;
}

/** `mergeChanges` in a transaction of its own: all or nothing. */
export async function applyChanges(db: SqliteConnection, sender: Uint8Array, changes: readonly Change[]): Promise<number> {
  return db.transaction(() => mergeChanges(db, sender, changes));
}

export async function siteIdOf(db: SqliteConnection): Promise<Uint8Array> {
  const { rows } = await db.exec("SELECT crsql_site_id()");
  return rows[0]![0] as Uint8Array;
}
