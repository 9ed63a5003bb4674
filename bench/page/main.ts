/**
 * The local-database benchmark, run in the page with the app's own code: the database worker,
 * the Drizzle proxy and the notes repository. `bench/run.ts` drives it in headless Chromium.
 */
import { eq } from "drizzle-orm";
import { startDatabase } from "../../web/src/db/client";
import { createDrizzle } from "../../web/src/db/drizzle";
import type { StorageKind } from "../../web/src/db/protocol";
import { createNote, importNotes, updateNote } from "../../web/src/notes/notesRepo";
import { notes } from "../../shared/schema";

const storage = (new URLSearchParams(location.search).get("storage") ?? "opfs") as StorageKind;
const started = performance.now();
const client = startDatabase(storage === "opfs" ? undefined : storage);
const db = createDrizzle(client);

/** Worker start to first answered query: WASM load, VFS start, open, migrations. */
const openMs = db.select({ n: notes.id }).from(notes).limit(1).then(() => performance.now() - started);

/** `notes`' columns as shared/migrations.ts declares them, under another name (TEMP: in memory). */
const plainNotesTable = (name: string, temp = false) => `CREATE ${temp ? "TEMP " : ""}TABLE IF NOT EXISTS ${name} (
  id TEXT PRIMARY KEY NOT NULL, title TEXT NOT NULL DEFAULT '', body TEXT NOT NULL DEFAULT '',
  pinned INTEGER NOT NULL DEFAULT 0, archived INTEGER NOT NULL DEFAULT 0, trashed_at INTEGER,
  created_at INTEGER NOT NULL DEFAULT 0, updated_at INTEGER NOT NULL DEFAULT 0)`;

/** A plain table declared as `notes` is: its columns, primary key and every index `notes` has (read from the database). */
async function createPlainNotesTable(name: string, temp: boolean): Promise<void> {
  const { rows: indexes } = await client.query({ sql: "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'notes' AND sql IS NOT NULL", params: [], method: "all" });
  if (indexes.length === 0) throw new Error("notes has no indexes to copy: the plain table would not be declared as notes is");
  await client.batch([
    { sql: plainNotesTable(name, temp), params: [], method: "run" },
    ...indexes.map(([index, sql]) => ({
      // An index on a TEMP table is made in the temp schema whatever its statement says.
      sql: String(sql).replace(/^CREATE INDEX \S+ ON notes\b/i, `CREATE INDEX IF NOT EXISTS ${name}_${String(index)} ON ${name}`),
      params: [],
      method: "run" as const,
    })),
  ]);
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function noteRows(count: number, prefix: string) {
  return Array.from({ length: count }, (_, i) => ({
    title: `${prefix} note ${i}`,
    body: `Body of ${prefix} note ${i}. `.repeat(4),
    createdAt: 1_764_000_000_000 + i,
    updatedAt: 1_764_000_000_000 + i,
  }));
}

/** Updates before the samples, so the statement cache and the pages are warm. */
const WARM_UP_UPDATES = 20;

/** `count` awaited calls of `fn`, after a warm-up: p50, p95, min and max. */
async function latency(count: number, fn: (i: number) => Promise<unknown>) {
  for (let i = 0; i < WARM_UP_UPDATES; i++) await fn(-1 - i);
  const samples: number[] = [];
  for (let i = 0; i < count; i++) samples.push(await timed(() => fn(i)));
  samples.sort((a, b) => a - b);
  return { count, p50: quantile(samples, 0.5), p95: quantile(samples, 0.95), min: samples[0]!, max: samples.at(-1)! };
}

/** Awaited one-row updates of a table declared as `notes` is, through the page's database client. */
async function oneRowUpdateLatency(count: number, table: string, temp: boolean) {
  await createPlainNotesTable(table, temp);
  await client.batch([{ sql: `INSERT OR REPLACE INTO ${table} (id, title) VALUES ('latency', 'latency')`, params: [], method: "run" }]);
  const sql = `UPDATE ${table} SET title = ?, updated_at = ? WHERE id = 'latency'`;
  return latency(count, (i) => client.batch([{ sql, params: [`edit ${i}`, Date.now()], method: "run" }]));
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

const api = {
  storage: () => client.status.storage,
  openMs: () => openMs,

  /** Awaited one-note updates: main thread → worker → committed → resolved. */
  async updateLatency(count: number) {
    const note = await createNote(db, { title: "latency" });
    return latency(count, (i) => updateNote(db, note.id, { title: `edit ${i}` }));
  },

  /**
   * The same awaited one-row update on a plain table (not a CRR, no search index): the path and
   * the durable commit alone, without cr-sqlite's bookkeeping.
   */
  plainUpdateLatency: (count: number) => oneRowUpdateLatency(count, "bench_plain_notes", false),

  /** The same again on a TEMP table, which lives in memory: the path without the disk. */
  memoryUpdateLatency: (count: number) => oneRowUpdateLatency(count, "bench_memory_notes", true),

  /** The app's import: one transaction of multi-row INSERTs. */
  importMultiRow: (count: number, rep = 0) => timed(() => importNotes(db, noteRows(count, `multi${rep}`))),

  /** The same rows as one INSERT statement each, still one transaction: per-statement cost. */
  importRowByRow: (count: number) =>
    timed(() => db.batch(noteRows(count, "single").map((r, i) => db.insert(notes).values({ ...r, id: `single-${i}` })) as never)),

  /**
   * Multi-row INSERTs into a plain table declared as `notes` is (not a CRR, no search index): the
   * engine's own cost for the same rows.
   */
  async importPlainTable(count: number, rep = 0) {
    await createPlainNotesTable("bench_plain_notes", false);
    const rows = noteRows(count, `plain${rep}`);
    return timed(async () => {
      const statements = [];
      for (let i = 0; i < rows.length; i += 500) {
        const chunk = rows.slice(i, i + 500);
        statements.push({
          sql: `INSERT INTO bench_plain_notes (id, title, body, created_at, updated_at) VALUES ${chunk.map(() => "(?, ?, ?, ?, ?)").join(", ")}`,
          params: chunk.flatMap((r, j) => [`plain${rep}-${i + j}`, r.title, r.body, r.createdAt, r.updatedAt]),
          method: "run" as const,
        });
      }
      await client.batch(statements);
    });
  },

  async countNotes() {
    const rows = await db.select({ id: notes.id }).from(notes).where(eq(notes.archived, 0));
    return rows.length;
  },
};

declare global {
  interface Window {
    bench: typeof api;
  }
}
window.bench = api;
