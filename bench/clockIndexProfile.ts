/**
 * What the clock indexes (web/src/db-worker/clockIndexes.ts) cost a database that predates them,
 * in Node on real cr-sqlite (in memory): `npm exec -- tsx bench/clockIndexProfile.ts [notes]`
 * (default 100,000) imports that many notes without the indexes, then times the open step that
 * makes them and reports the database's size before and after. Not part of `npm run bench`.
 */
import { openMemoryReplica } from "../testing/nodeReplica.ts";
import { clockIndexOf, clockTables, ensureClockIndexes, quoted } from "../web/src/db-worker/clockIndexes.ts";
import type { SqliteConnection } from "../web/src/db-worker/sqlite/connection.ts";
import { insertNotes } from "./nodeNotes.ts";

const NOTES = Number(process.argv[2] ?? 100_000);
/** Notes per transaction, as the app's Import writes a file of 10,000. */
const FILE = 10_000;

async function importNotes(db: SqliteConnection) {
  for (let file = 0; file < NOTES; file += FILE) {
    await db.transaction(() => insertNotes(db, file, Math.min(NOTES, file + FILE), () => crypto.randomUUID()));
  }
}

const bytes = async (db: SqliteConnection) => Number((await db.exec("PRAGMA page_count")).rows[0]![0]) * Number((await db.exec("PRAGMA page_size")).rows[0]![0]);
const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

const db = await openMemoryReplica();
for (const table of await clockTables(db)) await db.exec(`DROP INDEX ${quoted(clockIndexOf(table))}`);
await importNotes(db);
const before = await bytes(db);
const started = performance.now();
await ensureClockIndexes(db);
const ms = performance.now() - started;
const after = await bytes(db);
console.log(`${NOTES} notes: making the clock indexes at open took ${ms.toFixed(0)} ms; the database grew from ${mib(before)} to ${mib(after)} (+${(((after - before) / before) * 100).toFixed(0)}%)`);
process.exit(0);
