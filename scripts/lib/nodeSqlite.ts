/**
 * Real cr-sqlite (the sync WASM build the app ships) under Node, for the build, tests and
 * benchmarks. `initWasm()` cannot fetch a file: URL in Node, so the bytes are handed to the
 * Emscripten factory.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import * as SQLite from "@vlcn.io/wa-sqlite";
import SyncModuleFactory from "@vlcn.io/wa-sqlite/dist/crsqlite-sync.mjs";
import type { SqliteApi } from "../../web/src/db-worker/sqlite/connection";

let api: Promise<SqliteApi> | undefined;

export function nodeSqliteApi(): Promise<SqliteApi> {
  api ??= (async () => {
    const require = createRequire(import.meta.url);
    const wasmBinary = await readFile(require.resolve("@vlcn.io/wa-sqlite/dist/crsqlite-sync.wasm"));
    return SQLite.Factory(await SyncModuleFactory({ wasmBinary }));
  })();
  return api;
}
