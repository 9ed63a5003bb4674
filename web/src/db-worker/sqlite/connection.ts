/**
 * One SQLite connection over the wa-sqlite API, the same for every storage backend
 * (OPFS access-handle pool, IndexedDB, memory) and for Node tests.
 *
 * Written by hand because the stock `@vlcn.io/crsqlite-wasm` DB class is bound to its IndexedDB
 * VFS and serialises every call through a mutex; this class adds what CoBrain needs on top of the
 * raw API: a prepared-statement cache, exact integer binding, the set of tables each write touched
 * (for live queries) and the tables each read uses.
 *
 * Invariant: calls into one wa-sqlite module never interleave. The module keeps scratch memory
 * (e.g. the out-pointers of prepare_v2) across the awaits inside its calls, so two connections of
 * one module stepping concurrently would read each other's statements. In the browser each worker
 * has one module and one connection; in Node tests many connections share one module.
 */
import * as SQLite from "@vlcn.io/wa-sqlite";
import { STATEMENT_CACHE_SIZE } from "../../../../shared/constants";
import type { SqlParam, SqlValue } from "../../db/protocol";

export type { SqlParam, SqlValue };

export interface ExecResult {
  columns: string[];
  rows: SqlValue[][];
}

/** The wa-sqlite API object returned by `SQLite.Factory(module)`. */
export type SqliteApi = ReturnType<typeof SQLite.Factory>;

interface CachedStatement {
  stmt: number;
  str: number;
  paramCount: number;
}

/** The tail of each module's queue of calls. */
const moduleQueues = new WeakMap<object, Promise<unknown>>();

function oneAtATime<T>(api: SqliteApi, fn: () => Promise<T>): Promise<T> {
  const run = (moduleQueues.get(api) ?? Promise.resolve()).then(fn);
  moduleQueues.set(api, run.catch(() => undefined));
  return run;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * wa-sqlite binds any number outside int32 as REAL, so a millisecond timestamp would be stored
 * as a float and sync as one. Bind every integral number as a 64-bit INTEGER instead.
 */
export function toBindable(value: SqlParam): SqlValue {
  if (value === undefined) return null;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number" && Number.isInteger(value) && (value < INT32_MIN || value > INT32_MAX)) {
    if (!Number.isSafeInteger(value)) throw new RangeError(`integer ${value} is not exact; pass a BigInt`);
    return BigInt(value);
  }
  if (value === null || typeof value === "number" || typeof value === "bigint" || typeof value === "string") {
    return value;
  }
  if (value instanceof Uint8Array) return value;
  throw new TypeError(`cannot bind a value of type ${Object.prototype.toString.call(value)}`);
}

/** cr-sqlite's bookkeeping and FTS5's shadow tables, which are not the app's business. */
function isInternalTable(name: string): boolean {
  return name.startsWith("crsql_") || name.includes("__crsql_") || name.startsWith("sqlite_") || /_fts_(data|idx|docsize|config|content)$/.test(name);
}

export class SqliteConnection {
  readonly #api: SqliteApi;
  readonly #db: number;
  readonly #statements = new Map<string, CachedStatement>();
  readonly #tablesRead = new Map<string, string[]>();
  readonly #changed = new Set<string>();
  #closed = false;

  private constructor(api: SqliteApi, db: number) {
    this.#api = api;
    this.#db = db;
    // Fires for every row written, by the app or by cr-sqlite merging remote changes.
    api.update_hook(db, (_op: number, _schema: string | null, table: string | null) => {
      if (table && !isInternalTable(table)) this.#changed.add(table);
    });
  }

  /** The WebAssembly instance this connection runs on (another connection may open on it). */
  get sqliteApi(): SqliteApi {
    return this.#api;
  }

  static async open(api: SqliteApi, filename: string, vfs?: string): Promise<SqliteConnection> {
    const flags = SQLite.SQLITE_OPEN_CREATE | SQLite.SQLITE_OPEN_READWRITE | SQLite.SQLITE_OPEN_URI;
    const db = await oneAtATime(api, () => api.open_v2(filename, flags, vfs));
    return new SqliteConnection(api, db);
  }

  /** Runs one statement (cached) and returns its rows as positional arrays. */
  exec(sql: string, params: readonly SqlParam[] = []): Promise<ExecResult> {
    return oneAtATime(this.#api, () => this.#exec(sql, params));
  }

  async #exec(sql: string, params: readonly SqlParam[]): Promise<ExecResult> {
    this.#assertOpen();
    const cached = await this.#prepare(sql);
    if (params.length !== cached.paramCount) {
      throw new RangeError(`statement expects ${cached.paramCount} parameters, got ${params.length}: ${sql}`);
    }
    const api = this.#api;
    const { stmt } = cached;
    try {
      for (let i = 0; i < params.length; i++) api.bind(stmt, i + 1, toBindable(params[i]) as never);
      const rows: SqlValue[][] = [];
      let columns: string[] | undefined;
      while ((await api.step(stmt)) === SQLite.SQLITE_ROW) {
        columns ??= api.column_names(stmt);
        rows.push(api.row(stmt) as SqlValue[]);
      }
      return { columns: columns ?? api.column_names(stmt), rows };
    } finally {
      await api.reset(stmt).catch(() => undefined); // the step error already surfaced
    }
  }

  /** Runs several statements without parameters (DDL, pragmas, migrations). */
  script(sql: string): Promise<void> {
    this.#assertOpen();
    return oneAtATime(this.#api, async () => {
      await this.#api.exec(this.#db, sql);
    });
  }

  /** Runs `fn` inside BEGIN … COMMIT, rolling back if it throws. Not re-entrant. */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.script("BEGIN");
    try {
      const result = await fn();
      await this.script("COMMIT");
      return result;
    } catch (error) {
      if (this.inTransaction) await this.script("ROLLBACK");
      this.discardChangedTables();
      throw error;
    }
  }

  get inTransaction(): boolean {
    return this.#api.get_autocommit(this.#db) === 0;
  }

  /** App tables written since the last call (local writes and merged sync changes alike). */
  takeChangedTables(): string[] {
    const tables = [...this.#changed];
    this.#changed.clear();
    return tables;
  }

  /** Forgets writes that were rolled back. */
  discardChangedTables(): void {
    this.#changed.clear();
  }

  /** App tables a statement reads or writes, from SQLite's own `tables_used`. Cached per SQL. */
  async tablesUsed(sql: string): Promise<string[]> {
    let tables = this.#tablesRead.get(sql);
    if (!tables) {
      // A query answered from an index alone lists only the index: map it back to its table.
      // TEMP tables count too (the note list's kept counts, notes/listCounts.ts).
      const { rows } = await this.exec(
        `SELECT DISTINCT m.tbl_name FROM tables_used(?) AS u JOIN (
           SELECT 'main' AS schema, name, tbl_name FROM sqlite_master UNION ALL SELECT 'temp', name, tbl_name FROM sqlite_temp_master
         ) AS m ON m.schema = u.schema AND m.name = u.name`,
        [sql],
      );
      tables = rows.map((r) => String(r[0])).filter((t) => !isInternalTable(t));
      this.#tablesRead.set(sql, tables);
    }
    return tables;
  }

  close(): Promise<void> {
    return oneAtATime(this.#api, async () => {
      if (this.#closed) return;
      for (const cached of this.#statements.values()) await this.#finalize(cached);
      this.#statements.clear();
      // cr-sqlite asks for this before closing so its cached statements are released.
      await this.#api.exec(this.#db, "SELECT crsql_finalize()").catch(() => undefined);
      await this.#api.close(this.#db);
      this.#closed = true;
    });
  }

  async #prepare(sql: string): Promise<CachedStatement> {
    const hit = this.#statements.get(sql);
    if (hit) {
      // Map order doubles as LRU order.
      this.#statements.delete(sql);
      this.#statements.set(sql, hit);
      return hit;
    }
    const api = this.#api;
    const str = api.str_new(this.#db, sql);
    let prepared: { stmt: number; sql: number } | null;
    try {
      prepared = await api.prepare_v2(this.#db, api.str_value(str));
    } catch (error) {
      api.str_finish(str);
      throw error;
    }
    if (!prepared) {
      api.str_finish(str);
      throw new Error(`no statement in SQL: ${sql}`);
    }
    const cached = { stmt: prepared.stmt, str, paramCount: api.bind_parameter_count(prepared.stmt) };
    this.#statements.set(sql, cached);
    if (this.#statements.size > STATEMENT_CACHE_SIZE) {
      const [oldestSql, oldest] = this.#statements.entries().next().value!;
      this.#statements.delete(oldestSql);
      await this.#finalize(oldest);
    }
    return cached;
  }

  async #finalize(cached: CachedStatement): Promise<void> {
    await this.#api.finalize(cached.stmt);
    this.#api.str_finish(cached.str);
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error("the database is closed");
  }
}
