/**
 * Runs database requests on the owner tab's connection, one at a time.
 * A batch runs in one SQLite transaction. Drizzle's `db.transaction()` would send BEGIN, the
 * statements and COMMIT as separate requests, letting another tab's write slip inside the
 * transaction; such statements are refused with a pointer to `db.batch()`.
 */
import type { DbRequest, SqlStatement, StatementResult } from "./protocol";
import type { SqliteConnection } from "./sqlite/connection";

const TRANSACTION_CONTROL = /^\s*(begin|commit|end|rollback|savepoint|release)\b/i;

export interface HostResult {
  value: StatementResult | StatementResult[];
  /** App tables written by the request, empty for reads. */
  changed: string[];
}

export class DatabaseHost {
  #queue: Promise<unknown> = Promise.resolve();

  constructor(readonly connection: SqliteConnection) {}

  /** Queues a request behind the ones already running. */
  handle(request: DbRequest): Promise<HostResult> {
    const run = this.#queue.then(() => this.#run(request));
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
      } else {
        value = await db.transaction(async () => {
          const results: StatementResult[] = [];
          for (const statement of request.statements) results.push(await this.#statement(statement));
          return results;
        });
      }
      return { value, changed: db.takeChangedTables() };
    } catch (error) {
      db.discardChangedTables();
      throw error;
    }
  }

  async #statement({ sql, params, method }: SqlStatement): Promise<StatementResult> {
    const { rows } = await this.connection.exec(sql, params);
    const tables = method === "run" ? [] : await this.connection.tablesUsed(sql);
    return { rows, tables };
  }
}
