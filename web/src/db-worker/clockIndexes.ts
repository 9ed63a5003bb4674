/**
 * An index on (db_version, seq) of each of cr-sqlite's clock tables, local to the device.
 *
 * An upload pages one large transaction (a 10,000-note import is one db_version of 70,000
 * changes) out in frames by windows of seqs (web/src/sync/syncDb.ts). cr-sqlite indexes its clock
 * tables on db_version alone, so every window, and the version's last seq, read every clock row
 * of that version: an upload cost O(frames × version) reads. With this index each window reads
 * its own rows (README, "The upload is now at the server's speed"). It is transparent to
 * cr-sqlite's own statements.
 *
 * Not a migration: the schema version is what devices and the server must agree on, and this
 * index changes nothing another device or the server sees. It is made at open when missing
 * (once, on a database that predates it; a new database's clock tables are empty).
 */
import type { SqliteConnection } from "./sqlite/connection";
import { errorMessage } from "../../../shared/errorMessage";

const CLOCK_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%\\_\\_crsql\\_clock' ESCAPE '\\' ORDER BY name";
/** The index's name is its table's plus this. */
const INDEX_SUFFIX = "_dbv_seq";
const INDEXED = `SELECT tbl_name FROM sqlite_master WHERE type = 'index' AND name = tbl_name || '${INDEX_SUFFIX}'`;

/** A name as an SQL identifier. */
export const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The name of `table`'s (db_version, seq) index. */
export const clockIndexOf = (table: string) => `${table}${INDEX_SUFFIX}`;

/** cr-sqlite's clock tables (one per CRR table), by name. */
export async function clockTables(db: SqliteConnection): Promise<string[]> {
  return (await db.exec(CLOCK_TABLES)).rows.map((r) => r[0] as string);
}

/**
 * Creates the missing (db_version, seq) indexes, all in one transaction (one commit). Best
 * effort: without them uploads are slower, not wrong, so a failure (a full disk, say) is logged
 * and the database opens anyway; the next open tries again.
 */
export async function ensureClockIndexes(db: SqliteConnection): Promise<void> {
  const failed: string[] = [];
  try {
    const indexed = new Set((await db.exec(INDEXED)).rows.map((r) => r[0] as string));
    const missing = (await clockTables(db)).filter((table) => !indexed.has(table));
    if (missing.length === 0) return;
    await db.transaction(async () => {
      for (const table of missing) {
        // A failed statement undoes only itself: the other tables still get theirs.
        await db.exec(`CREATE INDEX IF NOT EXISTS ${quoted(clockIndexOf(table))} ON ${quoted(table)} (db_version, seq)`).catch((error: unknown) => {
          failed.push(`${table}: ${errorMessage(error)}`);
        });
      }
    });
  } catch (error) {
    failed.push(errorMessage(error));
  }
  if (failed.length > 0) console.warn(`CoBrain: clock indexes not made (${failed.join("; ")}); uploads of large changes will be slower`);
}
