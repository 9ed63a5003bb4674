/**
 * Opens real cr-sqlite (the sync WASM build) in memory under Node, for tests and benchmarks.
 */
import { nodeSqliteApi } from "../scripts/lib/nodeSqlite";
import { prepareDatabase } from "../web/src/db-worker/prepare";
import { SqliteConnection } from "../web/src/db-worker/sqlite/connection";

/** A fresh in-memory replica; migrated to the app schema unless `migrated` is false. */
export async function openMemoryReplica({ migrated = true } = {}): Promise<SqliteConnection> {
  const db = await SqliteConnection.open(await nodeSqliteApi(), ":memory:");
  if (migrated) {
    await prepareDatabase(db); // as the app's database worker does at every open
  }
  return db;
}
