/**
 * Drizzle on the main thread through `drizzle-orm/sqlite-proxy`: each query is one message to
 * the database worker, and `db.batch([...])` is one message run in one SQLite transaction.
 */
import { drizzle, type SqliteRemoteDatabase } from "drizzle-orm/sqlite-proxy";
import * as schema from "../../../shared/schema";
import type { DbClient } from "./client";
import type { Method, SqlParam, StatementResult } from "./protocol";

export type AppDatabase = SqliteRemoteDatabase<typeof schema>;

/** sqlite-proxy wants positional rows; `get` wants the first row alone (or undefined). */
function shape(result: StatementResult, method: Method): { rows: unknown } {
  return { rows: method === "get" ? result.rows[0] : result.rows };
}

/**
 * @param onRead receives the tables each statement read; live queries use it to learn what to
 *   watch.
 */
export function createDrizzle(client: DbClient, onRead?: (tables: string[]) => void): AppDatabase {
  return drizzle(
    async (sql, params, method) => {
      const result = await client.query({ sql, params: params as SqlParam[], method });
      onRead?.(result.tables);
      return shape(result, method) as { rows: unknown[] };
    },
    async (queries) => {
      const results = await client.batch(queries.map((q) => ({ sql: q.sql, params: q.params as SqlParam[], method: q.method })));
      return results.map((result, i) => {
        onRead?.(result.tables);
        return shape(result, queries[i]!.method) as { rows: unknown[] };
      });
    },
    { schema },
  );
}
