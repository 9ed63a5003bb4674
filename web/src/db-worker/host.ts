/**
 * Runs database requests on the owner tab's connection, one at a time.
 * A batch runs in one SQLite transaction. Drizzle's `db.transaction()` would send BEGIN, the
 * statements and COMMIT as separate requests, letting another tab's write slip inside the
 * transaction; such statements are refused with a pointer to `db.batch()`.
 */
import { traceMark } from "./trace";
import { STORAGE_LOW_BYTES } from "../../../shared/constants";
import type { DbRequest, ReadResult, SqlStatement, StatementResult } from "../db/protocol";
import { drizzleOver, type AppDatabase } from "../db/drizzle";
import type { SqliteConnection } from "./sqlite/connection";
import { errorMessage } from "../../../shared/errorMessage";
import { withSearchIndexOnce } from "./searchIndexOnce";

/** A statement that starts, ends or nests a transaction, after any leading comments. */
const TRANSACTION_CONTROL = /^(?:\s|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*(begin|commit|end|rollback|savepoint|release)\b/i;

/**
 * The device's own settings and credentials (sync token, refresh credential, server, account)
 * live in `local_settings`, which only the worker's sync client reads. A statement from a page
 * that names it, or attaches another database to reach it under another name, is refused.
 */
const PRIVATE_TABLES = ["local_settings"];
const NAMES_PRIVATE = /local_settings|\battach\b|sqlite_dbpage|writable_schema/i;
/** A pragma (integrity_check, table_info…) reports on the database, never a row's values. */
const PRAGMA = /^\s*pragma\b/i;
/**
 * A batch binding this many values writes hundreds of rows (an import sends 500 notes per
 * statement), and its search index is updated once at the end; below it, swapping the index
 * triggers (a schema change, a few ms) would cost more than indexing row by row.
 */
export const SEARCH_INDEX_ONCE_MIN_PARAMS = 2_000;
/** SQL texts whose private-table check is remembered; ad hoc SQL from the console must not grow it without end. */
const PRIVATE_CHECK_CACHE_SIZE = 500;

/**
 * SQLite reports a refused OPFS/IndexedDB write (quota exceeded) only as "disk I/O error" or
 * "database or disk is full". Say what happened in the user's terms; the statement's transaction
 * has been rolled back, so nothing was half-written.
 */
export async function explainStorageError(error: unknown): Promise<unknown> {
  const message = errorMessage(error);
  // cr-sqlite words a failed write inside its triggers as "unable to reset cached trigger stmt".
  if (!/disk I\/O error|disk is full|SQLITE_FULL|SQLITE_IOERR|cached trigger stmt/i.test(message)) return error;
  const estimate = await globalThis.navigator?.storage?.estimate?.().catch(() => undefined);
  const free = estimate?.quota !== undefined && estimate.usage !== undefined ? estimate.quota - estimate.usage : undefined;
  if (/full/i.test(message) || (free !== undefined && free < STORAGE_LOW_BYTES)) {
    return new Error("this device's storage is full, so nothing of this change was saved; free up space and try again", { cause: error });
  }
  // Chromium reports a full quota to the VFS as a short write, which SQLite calls an I/O error.
  return new Error(`the browser refused to save to this device's storage (${message}); it may be full. Nothing of this change was saved; free up space and try again`, { cause: error });
}

/** Reads the page may ask for by name, each run with Drizzle over the host's connection (`any`: each read has its own argument type). */
export type NamedReads = Record<string, (db: AppDatabase, args: any) => Promise<unknown>>;

export interface HostResult {
  value: StatementResult | StatementResult[] | ReadResult;
  /** App tables written by the request, empty for reads. */
  changed: string[];
}

export class DatabaseHost {
  readonly connection: SqliteConnection;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #onExclusiveChange: (tables: string[]) => void;

  readonly #guardPrivate: boolean;
  readonly #reads: NamedReads;
  #readDb: AppDatabase | undefined;
  #readTables = new Set<string>();
  readonly #privateBySql = new Map<string, boolean>();

  /**
   * @param onExclusiveChange told which tables an `exclusive` task (a sync apply) changed.
   * @param options.guardPrivate refuse page requests that touch the device's settings and
   *   credentials (every build but development; `exclusive` tasks are the worker's own).
   * @param options.reads the named reads the page may ask for (the app's are db-worker/reads.ts).
   */
  constructor(connection: SqliteConnection, onExclusiveChange: (tables: string[]) => void = () => {}, options: { guardPrivate?: boolean; reads?: NamedReads } = {}) {
    this.connection = connection;
    this.#onExclusiveChange = onExclusiveChange;
    this.#guardPrivate = options.guardPrivate ?? false;
    this.#reads = options.reads ?? {};
  }

  /** Queues a request behind the ones already running. */
  handle(request: DbRequest): Promise<HostResult> {
    return this.#enqueue(() => this.#run(request));
  }

  /** Runs `fn` alone on the connection, between requests (used by sync). */
  exclusive<T>(fn: (db: SqliteConnection) => Promise<T>): Promise<T> {
    return this.#enqueue(async () => {
      try {
        return await fn(this.connection);
      } catch (error) {
        throw await explainStorageError(error);
      } finally {
        const changed = this.connection.takeChangedTables();
        if (changed.length > 0) this.#onExclusiveChange(changed);
      }
    });
  }

  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Resolves once every queued request has finished. */
  drain(): Promise<unknown> {
    return this.#queue;
  }

  async #run(request: DbRequest): Promise<HostResult> {
    const db = this.connection;
    try {
      let value: HostResult["value"];
      if (request.kind === "query") {
        if (TRANSACTION_CONTROL.test(request.statement.sql)) {
          throw new Error("transactions are not sent statement by statement; use db.batch([...]) to run several writes atomically");
        }
        value = await this.#statement(request.statement);
      } else if (request.kind === "read") {
        value = await this.#read(request.name, request.args);
      } else {
        // A batch is one transaction already; a COMMIT inside it would end it halfway.
        if (request.statements.some((s) => TRANSACTION_CONTROL.test(s.sql))) {
          throw new Error("a batch runs in one transaction of its own; leave BEGIN, COMMIT, ROLLBACK and savepoints out of it");
        }
        const run = async () => {
          const results: StatementResult[] = [];
          for (const statement of request.statements) results.push(await this.#statement(statement));
          return results;
        };
        const values = request.statements.reduce((n, s) => n + s.params.length, 0);
        value = await db.transaction(() => (values >= SEARCH_INDEX_ONCE_MIN_PARAMS ? withSearchIndexOnce(db, run) : run()));
      }
      return { value, changed: db.takeChangedTables() };
    } catch (error) {
      db.discardChangedTables();
      throw await explainStorageError(error);
    }
  }

  /** A named read (reads.ts) with Drizzle over this connection, statement by statement like the page's own. */
  async #read(name: string, args: unknown): Promise<ReadResult> {
    const read = Object.hasOwn(this.#reads, name) ? this.#reads[name] : undefined;
    if (!read) throw new Error(`there is no read named ${name}`);
    // One Drizzle per host (reads run one at a time, in the queue): each read collects its own tables.
    const tables = (this.#readTables = new Set<string>());
    this.#readDb ??= drizzleOver(
      {
        // The worker's own code: no page-supplied SQL to guard.
        query: (statement) => this.#statement(statement, false),
        batch: () => Promise.reject(new Error("a read runs no batch")),
      },
      (used) => used.forEach((t) => this.#readTables.add(t)),
    );
    traceMark("read started");
    try {
      return { value: await read(this.#readDb, args), tables: [...tables] };
    } finally {
      traceMark("read done");
    }
  }

  /**
   * Through a view or a trigger, say: SQLite's own list of the tables the statement opens. Kept
   * per SQL text (a list re-read asks the same few statements after every write): no view or
   * trigger that reaches the private tables can be created later, since one naming them is refused.
   */
  async #touchesPrivate(sql: string): Promise<boolean> {
    const known = this.#privateBySql.get(sql);
    if (known !== undefined) return known;
    const { rows } = await this.connection.exec("SELECT DISTINCT name FROM tables_used(?)", [sql]).catch(() => ({ rows: [] as unknown[][] }));
    const touches = rows.some((r) => PRIVATE_TABLES.includes(String(r[0])));
    if (this.#privateBySql.size >= PRIVATE_CHECK_CACHE_SIZE) this.#privateBySql.clear();
    this.#privateBySql.set(sql, touches);
    return touches;
  }

  async #statement({ sql, params, method }: SqlStatement, guard = this.#guardPrivate): Promise<StatementResult> {
    if (guard && (NAMES_PRIVATE.test(sql) || (!PRAGMA.test(sql) && (await this.#touchesPrivate(sql))))) {
      throw new Error("this device's settings and credentials cannot be read or changed from the page");
    }
    const { rows } = await this.connection.exec(sql, params);
    const tables = method === "run" ? [] : await this.connection.tablesUsed(sql);
    return { rows, tables };
  }
}
