/**
 * Drizzle through `drizzle-orm/sqlite-proxy`, over any statement runner: on the main thread each
 * query is one message to the database worker (`createDrizzle`), and `db.batch([...])` is one
 * message run in one SQLite transaction; in the worker, the list's reads run on the host itself
 * (db-worker/reads.ts), so the first paint needs no Drizzle on the main thread.
 */
import { drizzle, type SqliteRemoteDatabase } from "drizzle-orm/sqlite-proxy";
import * as schema from "../../../shared/schema";
import type { Method, SqlParam, SqlStatement, StatementResult } from "./protocol";

export type AppDatabase = SqliteRemoteDatabase<typeof schema>;

/** sqlite-proxy wants positional rows; `get` wants the first row alone (or undefined). */
function shape(result: StatementResult, method: Method): { rows: unknown } {
  return { rows: method === "get" ? result.rows[0] : result.rows };
}

export interface StatementRunner {
  query(statement: SqlStatement): Promise<StatementResult>;
  batch(statements: SqlStatement[]): Promise<StatementResult[]>;
}

/**
 * @param onRead receives the tables each statement read; live queries use it to learn what to
 *   watch.
 */
export function drizzleOver(runner: StatementRunner, onRead?: (tables: string[]) => void): AppDatabase {
  return drizzle(
    async (sql, params, method) => {
      const result = await runner.query({ sql, params: params as SqlParam[], method });
      onRead?.(result.tables);
      return shape(result, method) as { rows: unknown[] };
    },
    async (queries) => {
      const results = await runner.batch(queries.map((q) => ({ sql: q.sql, params: q.params as SqlParam[], method: q.method })));
      return results.map((result, i) => {
        onRead?.(result.tables);
        return shape(result, queries[i]!.method) as { rows: unknown[] };
      });
    },
    { schema },
  );
}

/** Drizzle on the main thread, each statement a message to the database worker (a DbClient). */
export function createDrizzle(client: StatementRunner, onRead?: (tables: string[]) => void): AppDatabase {
  return drizzleOver(client, onRead);
}
