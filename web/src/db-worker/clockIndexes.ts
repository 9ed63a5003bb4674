/**
 * An index on (db_version, seq) of each of cr-sqlite's clock tables, local to the device.
 *
 * An upload pages one large transaction (a 10,000-note import is one db_version of 70,000
 * changes) out in frames by windows of seqs (web/src/sync/syncDb.ts). cr-sqlite indexes its clock
 * tables on db_version alone, so every window, and the version's last seq, read every clock row
 * of that version: an upload cost O(frames × version) reads. With this index each window reads
 * its own rows. Paging a 10,000-note import out took 3.1–3.2 s without it and 1.05 s with it in a
 * Node probe on real cr-sqlite; the index is transparent to cr-sqlite's own statements.
 *
 * Not a migration: the schema version is what devices and the server must agree on, and this
 * index changes nothing another device or the server sees. It is made at open when missing
 * (once, on a database that predates it; a new database's clock tables are empty).
 */
import type { SqliteConnection } from "./sqlite/connection";

const CLOCK_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%\\_\\_crsql\\_clock' ESCAPE '\\'";
const INDEXED = "SELECT tbl_name FROM sqlite_master WHERE type = 'index' AND name = tbl_name || '_dbv_seq'";

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Creates the missing (db_version, seq) indexes, all in one transaction (one commit). */
export async function ensureClockIndexes(db: SqliteConnection): Promise<void> {
  const clocks = (await db.exec(CLOCK_TABLES)).rows.map((r) => r[0] as string);
  const indexed = new Set((await db.exec(INDEXED)).rows.map((r) => r[0] as string));
  const missing = clocks.filter((table) => !indexed.has(table));
  if (missing.length === 0) return;
  await db.transaction(async () => {
    for (const table of missing) await db.exec(`CREATE INDEX IF NOT EXISTS ${quoted(`${table}_dbv_seq`)} ON ${quoted(table)} (db_version, seq)`);
  });
}
