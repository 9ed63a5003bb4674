/**
 * Writes received notes that this device has never held straight into `notes` and cr-sqlite's
 * clock tables, leaving them exactly as cr-sqlite's own merge would, at about the cost of a local
 * import (a new device's first sync: README, "Where a first sync's time goes").
 *
 * Why by hand: cr-sqlite merges only through its `crsql_changes` virtual table, one cell at a
 * time, each with a clock lookup, a clock write and a row update; for 10,000 notes that alone was
 * 3.1× the import of the same notes, and it has no bulk-load API. For a note with no row and no
 * clock here (a note deleted here keeps a clock, so it never qualifies), whose changes are one per
 * column and all of causal length 1 (never deleted), the merge's outcome is fixed: every cell wins.
 * What it writes is then known, and is written here in a few multi-row statements:
 * - the note's key in `notes__crsql_pks`, and its row in `notes` with cr-sqlite's sync bit set
 *   (its triggers stand aside, as during its own merge; columns with no change keep their default);
 * - one clock row per cell: the received col_version and seq, the sender's site ordinal, and as
 *   db_version what cr-sqlite's `next_db_version` would give it: the running maximum of this
 *   transaction's pending version and the versions received so far, in the order received.
 * The caller writes these notes before merging the batch's other changes, whatever the order
 * received: a note's cells then need not come together. Where the two were interleaved, a clock's
 * db_version can differ from the one cr-sqlite's merge in received order gives, within the same
 * transaction's versions. Nothing here reads that order (a device pulls for upload only the
 * changes it did not receive, and the transaction commits at the same version either way).
 * freshNotes.test.ts holds the result equal to cr-sqlite's merge of the same changes, table by
 * table (each clock's db_version to the same transaction), and later merges and local edits to
 * behave the same on both.
 */
import type { Change } from "@vlcn.io/ws-common";
import { PK_TYPE, unpackPk } from "../../../shared/packedPk";
import { errorMessage } from "../../../shared/errorMessage";
import type { SqlValue, SqliteConnection } from "./sqlite/connection";

/** Notes per multi-row INSERT: as the import writes them (a key and at most seven cells each, far under SQLite's 32,766 parameters). */
const NOTES_PER_STATEMENT = 500;
/** Clock rows per INSERT: CLOCK_COLUMNS parameters each, 12,000 in all, under SQLite's 32,766. */
const CLOCKS_PER_STATEMENT = 2_000;
/** A clock row's columns as written here: (key, col_name, col_version, db_version, site_id, seq). */
const CLOCK_COLUMNS = ["key", "col_name", "col_version", "db_version", "site_id", "seq"] as const;
const CLOCK_ROW = `(${CLOCK_COLUMNS.map(() => "?").join(", ")})`;

/**
 * The id must encode back to the key's very bytes, which cr-sqlite keeps: a key that is not UTF-8
 * is no note id here (fatal), and a byte-order mark stays part of it (ignoreBOM).
 */
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
/** Each change's pk is read several times on the way (a first sync: 70,000 of them), decoded once. */
const idsOfPks = new WeakMap<Uint8Array, string | null>();

function decoded(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

/** The note id of a notes pk (a single TEXT column of UTF-8), or undefined. */
export function noteId(pk: Uint8Array): string | undefined {
  let id = idsOfPks.get(pk);
  if (id === undefined) {
    const [first, ...rest] = unpackPk(pk);
    id = !first || rest.length > 0 || first.type !== PK_TYPE.text ? null : decoded(first.bytes);
    idsOfPks.set(pk, id);
  }
  return id ?? undefined;
}

/**
 * Which of `changes` belong to notes that can be written directly. `known` holds the ids this
 * device has a row or a clock for; `columns` the notes columns other than the key.
 */
export function freshChanges(changes: readonly Change[], known: ReadonlySet<string>, columns: ReadonlySet<string>): boolean[] {
  const cidsOf = new Map<string, Set<string>>();
  const disqualified = new Set<string>(known);
  const idOf = changes.map(([table, pk, cid, , , , , cl]) => {
    const id = table === "notes" ? noteId(pk) : undefined;
    if (id === undefined || disqualified.has(id)) return id;
    let cids = cidsOf.get(id);
    if (!cids) cidsOf.set(id, (cids = new Set()));
    // A delete or resurrection (cl ≠ 1), a column this schema lacks, or a cell twice: cr-sqlite decides.
    if (cl !== 1n || !columns.has(cid) || cids.has(cid)) disqualified.add(id);
    cids.add(cid);
    return id;
  });
  return idOf.map((id) => id !== undefined && !disqualified.has(id));
}

/** The ids among `ids` that this device holds a clock for (every note it has, or had and deleted). */
export async function clockedNotes(db: SqliteConnection, ids: readonly string[]): Promise<Set<string>> {
  const { rows } = await db.exec("SELECT id FROM notes__crsql_pks WHERE id IN (SELECT value FROM json_each(?))", [JSON.stringify(ids)]);
  return new Set(rows.map((r) => r[0] as string));
}

/** The notes columns a change may name (all but the key). */
export async function noteColumns(db: SqliteConnection): Promise<Set<string>> {
  const { rows } = await db.exec("SELECT name FROM pragma_table_info('notes') WHERE pk = 0");
  return new Set(rows.map((r) => r[0] as string));
}

/** The ordinal cr-sqlite stores for `site`, made as its merge makes it when the site is new. */
async function siteOrdinal(db: SqliteConnection, site: Uint8Array): Promise<SqlValue> {
  const { rows } = await db.exec("SELECT ordinal FROM crsql_site_id WHERE site_id = ?", [site]);
  if (rows[0]) return rows[0][0]!;
  return (await db.exec("INSERT INTO crsql_site_id (site_id) VALUES (?) RETURNING ordinal", [site])).rows[0]![0]!;
}

/**
 * Writes `fresh`, the changes `freshChanges` chose (sent by `sender`), inside the caller's
 * transaction, before its other changes are merged. All or nothing: on a failure
 * (a value the table refuses, say) nothing of it stays written and it returns false, so the
 * caller can hand the same changes to cr-sqlite's merge, which then reports the error as it
 * always has.
 */
export async function writeFreshNotes(db: SqliteConnection, sender: Uint8Array, fresh: readonly Change[]): Promise<boolean> {
  if (fresh.length === 0) return true;
  if (!db.inTransaction) throw new Error("writeFreshNotes runs inside a transaction");
  await db.exec("SAVEPOINT fresh_notes");
  const syncBit = (await db.exec("SELECT crsql_internal_sync_bit()")).rows[0]![0];
  try {
    await write(db, sender, fresh);
    await db.exec("RELEASE fresh_notes");
    return true;
  } catch (error) {
    // A failure that ended the whole transaction (SQLite rolls back on a full disk, say) is the
    // caller's to report, as it is.
    if (!db.inTransaction) throw error;
    await db.exec("ROLLBACK TO fresh_notes");
    await db.exec("RELEASE fresh_notes");
    console.warn(`CoBrain: received notes written through cr-sqlite's merge instead (${errorMessage(error)})`);
    return false;
  } finally {
    await db.exec("SELECT crsql_internal_sync_bit(?)", [syncBit]);
  }
}

async function write(db: SqliteConnection, sender: Uint8Array, fresh: readonly Change[]): Promise<void> {
  const ordinal = await siteOrdinal(db, sender);
  // The version this transaction writes at (cr-sqlite's pending one); 0 asks for no more than that.
  let pending = BigInt((await db.exec("SELECT crsql_next_db_version(0)")).rows[0]![0] as number | bigint);
  const byNote = new Map<string, Change[]>();
  const versionOf = new Map<Change, bigint>();
  for (const change of fresh) {
    const id = noteId(change[1])!;
    let cells = byNote.get(id);
    if (!cells) byNote.set(id, (cells = []));
    cells.push(change);
    if (change[5] > pending) pending = change[5];
    versionOf.set(change, pending);
  }
  await db.exec("SELECT crsql_internal_sync_bit(1)");
  const ids = [...byNote.keys()];
  for (let i = 0; i < ids.length; i += NOTES_PER_STATEMENT) {
    const chunk = ids.slice(i, i + NOTES_PER_STATEMENT);
    const keys = await db.exec(`INSERT INTO notes__crsql_pks (id) VALUES ${chunk.map(() => "(?)").join(", ")} RETURNING id, __crsql_key`, chunk);
    const keyOf = new Map(keys.rows.map(([id, key]) => [id as string, key!]));
    await insertRows(db, chunk.map((id) => byNote.get(id)!));
    // Flat parameters, one per CLOCK_COLUMNS entry for each clock row.
    const clocks: SqlValue[] = [];
    for (const id of chunk) {
      const key = keyOf.get(id)!;
      for (const change of byNote.get(id)!) clocks.push(key, change[2], change[4], versionOf.get(change)!, ordinal, change[8]);
    }
    const perStatement = CLOCKS_PER_STATEMENT * CLOCK_COLUMNS.length;
    for (let j = 0; j < clocks.length; j += perStatement) {
      const part = clocks.slice(j, j + perStatement);
      await db.exec(
        `INSERT INTO notes__crsql_clock (${CLOCK_COLUMNS.join(", ")}) VALUES ${Array(part.length / CLOCK_COLUMNS.length).fill(CLOCK_ROW).join(", ")}`,
        part,
      );
    }
  }
  // The transaction commits at the highest version written, as after cr-sqlite's own merge.
  await db.exec("SELECT crsql_next_db_version(?)", [pending]);
}

/**
 * Inserts each note's row with the columns it received; the rest keep their default. Rows go in
 * the order received, a statement per run of notes with the same columns.
 */
async function insertRows(db: SqliteConnection, notes: readonly Change[][]): Promise<void> {
  const columnsOf = notes.map((cells) => cells.map((c) => c[2]).sort());
  const keys = columnsOf.map((columns) => columns.join("\u0000")); // no column name holds a NUL
  for (let start = 0; start < notes.length; ) {
    const columns = columnsOf[start]!;
    let end = start + 1;
    while (end < notes.length && keys[end] === keys[start]) end++;
    const run = notes.slice(start, end);
    const row = `(${["?", ...columns.map(() => "?")].join(", ")})`;
    await db.exec(
      `INSERT INTO notes (id, ${columns.map((c) => `"${c.replaceAll('"', '""')}"`).join(", ")}) VALUES ${run.map(() => row).join(", ")}`,
      run.flatMap((cells) => [noteId(cells[0]![1])!, ...columns.map((col) => cells.find((c) => c[2] === col)![3] as SqlValue)]),
    );
    start = end;
  }
}
