/**
 * Opens real cr-sqlite (the sync WASM build) in memory under Node, for tests and benchmarks.
 * `initWasm()` cannot fetch a file: URL in Node, so the bytes are handed to the Emscripten factory.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import * as SQLite from "@vlcn.io/wa-sqlite";
import SyncModuleFactory from "@vlcn.io/wa-sqlite/dist/crsqlite-sync.mjs";
import { prepareDatabase } from "../web/src/db-worker/prepare";
import { SqliteConnection, type SqliteApi } from "../web/src/db-worker/sqlite/connection";

let api: Promise<SqliteApi> | undefined;

function loadApi(): Promise<SqliteApi> {
  api ??= (async () => {
    const require = createRequire(import.meta.url);
    const wasmBinary = await readFile(require.resolve("@vlcn.io/wa-sqlite/dist/crsqlite-sync.wasm"));
    return SQLite.Factory(await SyncModuleFactory({ wasmBinary }));
  })();
  return api;
}

/** A fresh in-memory replica; migrated to the app schema unless `migrated` is false. */
export async function openMemoryReplica({ migrated = true } = {}): Promise<SqliteConnection> {
  const db = await SqliteConnection.open(await loadApi(), ":memory:");
  if (migrated) {
    await prepareDatabase(db); // as the app's database worker does at every open
  }
  return db;
}
