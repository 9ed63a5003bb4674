/**
 * Real cr-sqlite (the sync WASM build) inside workerd, for Worker tests that need device replicas.
 * Workers cannot compile WASM from bytes at run time, so the module comes in as a compiled import.
 */
import * as SQLite from "@vlcn.io/wa-sqlite";
import factory from "@vlcn.io/wa-sqlite/dist/crsqlite-sync.mjs";
import wasmModule from "@vlcn.io/wa-sqlite/dist/crsqlite-sync.wasm";
import { prepareDatabase } from "../../web/src/db-worker/prepare";
import { SqliteConnection, type SqliteApi } from "../../web/src/db-worker/sqlite/connection";

let api: Promise<SqliteApi> | undefined;

function loadApi(): Promise<SqliteApi> {
  api ??= (async () =>
    SQLite.Factory(
      await factory({
        instantiateWasm(imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance) => void) {
          void WebAssembly.instantiate(wasmModule as WebAssembly.Module, imports).then(done);
          return {};
        },
      }),
    ))();
  return api;
}

export async function openReplica(): Promise<SqliteConnection> {
  const db = await SqliteConnection.open(await loadApi(), ":memory:");
  await prepareDatabase(db); // as the app's database worker does at every open
  return db;
}
