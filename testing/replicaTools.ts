/** Helpers shared by the test devices that wrap a real replica (Node and workerd alike). */
import { CRR_TABLE_NAMES } from "../shared/schema";
import type { SqliteConnection } from "../web/src/db-worker/sqlite/connection";
import type { Exclusive } from "../web/src/sync/syncDb";

/** One request at a time on the connection, as the database worker's host guarantees. */
export function serialised(db: SqliteConnection): Exclusive {
  let queue: Promise<unknown> = Promise.resolve();
  return <T>(fn: (db: SqliteConnection) => Promise<T>) => {
    const run = queue.then(() => fn(db));
    queue = run.catch(() => undefined);
    return run;
  };
}

/** Every replicated table's rows, sorted, as one string: equal strings mean equal devices. */
export async function snapshotOf(exclusive: Exclusive): Promise<string> {
  const parts: string[] = [];
  for (const table of CRR_TABLE_NAMES) {
    const { rows } = await exclusive((db) => db.exec(`SELECT * FROM ${table} ORDER BY 1, 2`));
    parts.push(`${table}: ${JSON.stringify(rows, (_, v) => (typeof v === "bigint" ? `${v}n` : v))}`);
  }
  return parts.join("\n");
}
