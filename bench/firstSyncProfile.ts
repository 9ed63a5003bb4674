/**
 * Where a first sync's time goes, in Node on real cr-sqlite (in memory), 10,000 notes
 * (`npm exec -- tsx bench/firstSyncProfile.ts`): the same changes merged several ways in one run,
 * against importing the notes locally. Not part of `npm run bench`: a profile, for the README.
 */
import { openMemoryReplica } from "../testing/nodeReplica.ts";
import { serialised } from "../testing/replicaTools.ts";
import { applyChanges, pullChanges, siteIdOf } from "../web/src/db-worker/changes.ts";
import type { SqlValue, SqliteConnection } from "../web/src/db-worker/sqlite/connection.ts";
import { withSearchIndexOnce } from "../web/src/db-worker/searchIndexOnce.ts";
import { SyncDb } from "../web/src/sync/syncDb.ts";
import { insertNotes } from "./nodeNotes.ts";

const NOTES = Number(process.argv[2] ?? 10_000);
const APPLY = `INSERT INTO crsql_changes ("table", "pk", "cid", "val", "col_version", "db_version", "site_id", "cl", "seq") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/**
 * As the app imports: one transaction, the search index written once at its end (the host does
 * so for a batch this large), or (`rowByRow`) by the index triggers note by note, as before.
 */
async function importNotes(db: SqliteConnection, rowByRow = false) {
  const insert = () => insertNotes(db, 0, NOTES, (k) => `n${k}`);
  await db.transaction(() => (rowByRow ? insert() : withSearchIndexOnce(db, insert)));
}

async function timed(label: string, fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  const ms = performance.now() - t0;
  console.log(`${label}: ${ms.toFixed(0)} ms`);
  return ms;
}

const source = await openMemoryReplica();
await importNotes(source);
const changes = await pullChanges(source, 0n);
const site = await siteIdOf(source);
console.log(`${NOTES} notes = ${changes.length} changes`);
const fresh = () => openMemoryReplica();
const applyRaw = async (db: SqliteConnection) => {
  for (const [t, pk, cid, val, cv, dv, , cl, seq] of changes) await db.exec(APPLY, [t, pk, cid, val as SqlValue, cv, dv, site, cl, seq]);
};
const inPages = (db: SqliteConnection, size: number) => async () => {
  for (let i = 0; i < changes.length; i += size) await applyChanges(db, site, changes.slice(i, i + size));
};
for (let round = 1; round <= 2; round++) {
  console.log(`-- round ${round}`);
  const t = await fresh();
  await timed("local import (multi-row INSERT, one transaction, search index written once)", () => importNotes(t));
  const r = await fresh();
  await timed("the same import with the search index written row by row by its triggers", () => importNotes(r, true));
  const a = await fresh();
  await timed("merge, pages of 499 (per-cell path: text-merge check, search triggers per cell)", inPages(a, 499));
  const b = await fresh();
  await timed("merge, pages of 5,000 (bulk path, as the server pages a first sync)", inPages(b, 5_000));
  const c = await fresh();
  await timed("raw INSERT INTO crsql_changes, one transaction, search triggers on", () => c.transaction(() => applyRaw(c)));
  const d = await fresh();
  for (const name of ["notes_fts_insert", "notes_fts_update", "notes_fts_delete"]) await d.exec(`DROP TRIGGER ${name}`);
  await timed("raw INSERT INTO crsql_changes, one transaction, no search triggers (cr-sqlite's own merge)", () => d.transaction(() => applyRaw(d)));
  await timed("read every change from crsql_changes (decode side: what a device pulls)", () => pullChanges(source, 0n));
  const syncDb = await SyncDb.open(serialised(source));
  const sends = syncDb.watchSends({ sendChanges: (_msg: never) => "sent" as const });
  await timed("page the import out in frames (SyncDb.pullChangeset until empty: an upload's reads)", async () => {
    let since: [bigint, number] = [0n, 0];
    for (;;) {
      const got = await syncDb.pullChangeset(since, [new Uint8Array(16)]);
      if (got.length === 0) break;
      sends.sendChanges(undefined as never);
      since = [got.at(-1)![5], 0];
    }
  });
}
process.exit(0);
