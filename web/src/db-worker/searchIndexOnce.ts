/**
 * Writes many notes with the search index updated once, at the end, instead of row by row.
 *
 * Why: cr-sqlite's triggers run their own statements for every row they clock, and SQLite opens
 * a savepoint on every virtual table already written in the transaction before each such
 * statement. FTS5 answers a savepoint by flushing its pending entries to disk as a new segment,
 * so under the row-by-row triggers an import wrote one tiny segment per note and merged them
 * over and over: half of a 10,000-note import's time (`bench/firstSyncProfile.ts` times both).
 *
 * How: inside the caller's transaction, the index triggers are swapped for TEMP triggers that
 * only note which rows changed (and, the first time, what the index holds for them), `fn` runs,
 * then those rows' old entries are removed and their current ones added in two statements, and
 * the triggers are put back. All of it is in one transaction: a failure rolls it back whole, the
 * triggers included. There is no library for this: it is specific to FTS5 over a CRR.
 */
import type { SqliteConnection } from "./sqlite/connection";

const FTS_TRIGGERS = ["notes_fts_insert", "notes_fts_delete", "notes_fts_update"];

/**
 * Records a note unless it is already recorded. Not INSERT OR IGNORE: a trigger's conflict clause
 * gives way to the outer statement's, and cr-sqlite's merge statements would turn it into an abort.
 */
const first = (values: string, row: "NEW" | "OLD") => `
    INSERT INTO search_index_touched SELECT ${values} WHERE NOT EXISTS (SELECT 1 FROM search_index_touched WHERE rid = ${row}.rowid);`;

/**
 * One row per note touched: the first event wins, so `title`/`body` are what the index held
 * before (`indexed` = 1), or nothing for a note inserted by `fn` (`indexed` = 0). An update also
 * records its new rowid, in case it moved the row.
 */
const CAPTURE = `
  CREATE TEMP TABLE search_index_touched (rid INTEGER PRIMARY KEY, indexed INTEGER NOT NULL, title, body);
  CREATE TEMP TRIGGER search_index_touched_insert AFTER INSERT ON main.notes BEGIN${first("NEW.rowid, 0, NULL, NULL", "NEW")}
  END;
  CREATE TEMP TRIGGER search_index_touched_update AFTER UPDATE OF title, body ON main.notes BEGIN${first("OLD.rowid, 1, OLD.title, OLD.body", "OLD")}${first("NEW.rowid, 0, NULL, NULL", "NEW")}
  END;
  CREATE TEMP TRIGGER search_index_touched_delete AFTER DELETE ON main.notes BEGIN${first("OLD.rowid, 1, OLD.title, OLD.body", "OLD")}
  END;
`;

const RELEASE = `
  DROP TRIGGER temp.search_index_touched_insert;
  DROP TRIGGER temp.search_index_touched_update;
  DROP TRIGGER temp.search_index_touched_delete;
  DROP TABLE temp.search_index_touched;
`;

const REINDEX = `
  INSERT INTO notes_fts (notes_fts, rowid, title, body)
    SELECT 'delete', rid, title, body FROM search_index_touched WHERE indexed = 1;
  INSERT INTO notes_fts (rowid, title, body)
    SELECT n.rowid, n.title, n.body FROM notes AS n JOIN search_index_touched AS t ON t.rid = n.rowid;
`;

/**
 * Runs `fn` with the notes search index brought up to date once after it, inside the caller's
 * transaction (the swap must never be seen, or left, half done). Without the index triggers (a
 * database they were never made in, or inside another such call, whose capture already records
 * `fn`'s writes), `fn` just runs.
 */
export async function withSearchIndexOnce<T>(db: SqliteConnection, fn: () => Promise<T>): Promise<T> {
  if (!db.inTransaction) throw new Error("withSearchIndexOnce runs inside a transaction");
  const { rows } = await db.exec(`SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name IN (${FTS_TRIGGERS.map(() => "?").join(", ")})`, FTS_TRIGGERS);
  if (rows.length !== FTS_TRIGGERS.length) return fn();
  const triggers = rows.map(([sql]) => sql as string);
  await db.script(CAPTURE);
  await db.script(FTS_TRIGGERS.map((name) => `DROP TRIGGER main.${name};`).join("\n"));
  let result: T;
  try {
    result = await fn();
  } catch (error) {
    // Still in the transaction: the caller's rollback undoes the swap with everything else.
    if (!db.inTransaction) await repairAfterEndedTransaction(db, triggers);
    throw error;
  }
  if (!db.inTransaction) {
    await repairAfterEndedTransaction(db, triggers);
    throw new Error("the writes ended their own transaction; the search index was brought up to date after them");
  }
  await finish(db, triggers);
  return result;
}

/** Indexes the touched notes, drops the capture and puts the index triggers back. */
async function finish(db: SqliteConnection, triggers: readonly string[]): Promise<void> {
  await db.script(REINDEX);
  await db.script(RELEASE);
  for (const sql of triggers) await db.script(sql);
}

/**
 * `fn` committed or rolled back the transaction itself (a COMMIT the page slipped in, say). A
 * commit kept the swap, so it is finished in a transaction of its own: otherwise the notes would
 * go unindexed from then on. A rollback undid the swap already.
 */
async function repairAfterEndedTransaction(db: SqliteConnection, triggers: readonly string[]): Promise<void> {
  const { rows } = await db.exec("SELECT 1 FROM sqlite_temp_master WHERE name = 'search_index_touched'");
  if (rows.length > 0) await db.transaction(() => finish(db, triggers));
}
