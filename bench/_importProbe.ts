import { openMemoryReplica } from "../testing/nodeReplica.ts";
import type { SqliteConnection } from "../web/src/db-worker/sqlite/connection.ts";
import { newId } from "../shared/ids.ts";
const N = 10_000;
const rows = Array.from({ length: N }, (_, i) => ({ id: newId(), title: `multi note ${i}`, body: `Body of multi note ${i}. `.repeat(4), t: 1_764_000_000_000 + i }));
async function insertInto(db: SqliteConnection, table: string) {
  await db.transaction(async () => {
    for (let i = 0; i < N; i += 500) {
      const c = rows.slice(i, i + 500);
      await db.exec(`INSERT INTO ${table} (id, title, body, created_at, updated_at) VALUES ${c.map(() => "(?, ?, ?, ?, ?)").join(", ")}`, c.flatMap((r) => [r.id, r.title, r.body, r.t, r.t]));
    }
  });
}
const PLAIN = (t: string) => `CREATE TABLE ${t} (id TEXT PRIMARY KEY NOT NULL, title TEXT NOT NULL DEFAULT '', body TEXT NOT NULL DEFAULT '', pinned INTEGER NOT NULL DEFAULT 0, archived INTEGER NOT NULL DEFAULT 0, trashed_at INTEGER, created_at INTEGER NOT NULL DEFAULT 0, updated_at INTEGER NOT NULL DEFAULT 0)`;
const IDX = (t: string) => `CREATE INDEX ${t}_a ON ${t} (pinned DESC, updated_at DESC);
CREATE INDEX ${t}_b ON ${t} (archived, trashed_at, pinned DESC, updated_at DESC, id);
CREATE INDEX ${t}_c ON ${t} (archived, trashed_at, pinned DESC, created_at DESC, id);
CREATE INDEX ${t}_d ON ${t} (archived, trashed_at, pinned DESC, title = '', title COLLATE NOCASE, id);`;
async function time(label: string, setup: (db: SqliteConnection) => Promise<void>, table = "notes") {
  const out: number[] = [];
  for (let r = 0; r < 3; r++) {
    const db = await openMemoryReplica();
    await setup(db);
    const t0 = performance.now();
    await insertInto(db, table);
    out.push(performance.now() - t0);
    await db.close();
  }
  out.sort((a, b) => a - b);
  console.log(`${label}: ${out[1]!.toFixed(0)} ms (${out.map((x) => x.toFixed(0)).join(", ")})`);
}
const drop = (...names: string[]) => async (db: SqliteConnection) => { for (const n of names) await db.exec(`DROP ${n}`); };
const FTS = ["TRIGGER notes_fts_insert", "TRIGGER notes_fts_update", "TRIGGER notes_fts_delete"];
const CELL = ["TRIGGER notes_cell_size_insert", "TRIGGER notes_cell_size_update"];
const COUNTS = ["TRIGGER temp.note_list_counts_insert", "TRIGGER temp.note_list_counts_update", "TRIGGER temp.note_list_counts_delete"];
const LISTIDX = ["INDEX notes_by_updated", "INDEX notes_list_edited", "INDEX notes_list_created", "INDEX notes_list_title"];
await time("plain, pk + 1 index (bench baseline)", async (db) => { await db.script(PLAIN("p") + "; CREATE INDEX p_a ON p (pinned DESC, updated_at DESC)"); }, "p");
await time("plain, pk + the 4 indexes notes has", async (db) => { await db.script(PLAIN("p") + ";" + IDX("p")); }, "p");
await time("plain + 4 indexes + FTS triggers", async (db) => { await db.script(PLAIN("p") + ";" + IDX("p") + `; CREATE VIRTUAL TABLE p_fts USING fts5(title, body, content='p', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'); CREATE TRIGGER p_fi AFTER INSERT ON p BEGIN INSERT INTO p_fts (rowid, title, body) VALUES (new.rowid, new.title, new.body); END;`); }, "p");
await time("app notes (CRR, everything)", async () => {});
await time("CRR minus FTS", drop(...FTS));
await time("CRR minus cell-size triggers", drop(...CELL));
await time("CRR minus list counts", drop(...COUNTS));
await time("CRR minus the clock (db_version, seq) index", async (db) => { const { rows } = await db.exec("SELECT name FROM sqlite_master WHERE type='index' AND tbl_name='notes__crsql_clock' AND name LIKE '%seq%'"); for (const [n] of rows) await db.exec(`DROP INDEX "${n}"`); });
await time("CRR minus the 4 list indexes", drop(...LISTIDX));
await time("CRR minus FTS, cell, counts, list indexes", drop(...FTS, ...CELL, ...COUNTS, ...LISTIDX));
process.exit(0);
