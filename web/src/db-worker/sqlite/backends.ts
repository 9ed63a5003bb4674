/**
 * The storage backends, strongest first: OPFS (sync build + access-handle pool, in a dedicated
 * worker), IndexedDB (the stock crsqlite-wasm asyncify build and VFS), memory (nothing kept).
 * Each loads only its own WASM build.
 */
import * as SQLite from "@vlcn.io/wa-sqlite";
import {
  DB_FILE_NAME,
  OPFS_OPEN_RETRY_MS,
  OPFS_OPEN_RETRY_STEP_MS,
  OPFS_POOL_DIRECTORY,
} from "../../../../shared/constants";
import type { StorageKind } from "../../db/protocol";
import { SqliteConnection, type SqliteApi } from "./connection";
import { errorMessage } from "../../../../shared/errorMessage";

/** The VFS name `@vlcn.io/crsqlite-wasm` registers for IndexedDB. */
const STOCK_IDB_VFS = "idb-batch-atomic";

export interface OpenedDatabase {
  connection: SqliteConnection;
  storage: StorageKind;
  /** Closes the connection and releases the storage (OPFS access handles). */
  close(): Promise<void>;
}

/** Pragmas for every connection. See the README's performance notes for the measurements. */
const CONNECTION_PRAGMAS = [
  // cr-sqlite's triggers use temp b-trees; on disk they made CRR writes 10-30x slower.
  "PRAGMA temp_store = MEMORY",
  // The pool VFS has no file locks to take; one connection owns the database anyway.
  "PRAGMA locking_mode = EXCLUSIVE",
].join(";");

async function syncBuild() {
  const [{ default: factory }, { default: wasmUrl }] = await Promise.all([
    import("@vlcn.io/wa-sqlite/dist/crsqlite-sync.mjs"),
    import("@vlcn.io/wa-sqlite/dist/crsqlite-sync.wasm?url"),
  ]);
  return SQLite.Factory(await factory({ locateFile: () => wasmUrl }));
}

/** True where this worker can use OPFS synchronous access handles. */
export function opfsSupported(): boolean {
  return (
    typeof navigator !== "undefined" &&
    typeof navigator.storage?.getDirectory === "function" &&
    typeof FileSystemFileHandle !== "undefined" &&
    "createSyncAccessHandle" in FileSystemFileHandle.prototype
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function openOpfs(): Promise<OpenedDatabase> {
  const api = await syncBuild();
  // @ts-expect-error example VFS shipped as plain JS
  const { AccessHandlePoolVFS } = await import("@vlcn.io/wa-sqlite/src/examples/AccessHandlePoolVFS.js");
  // A tab that is closing may still hold the handles for a moment; wait for it rather than
  // falling back to another storage, which would hide the user's data behind an empty one.
  const deadline = Date.now() + OPFS_OPEN_RETRY_MS;
  for (;;) {
    const vfs = new AccessHandlePoolVFS(OPFS_POOL_DIRECTORY);
    try {
      await vfs.isReady;
      api.vfs_register(vfs, false);
      const connection = await SqliteConnection.open(api, DB_FILE_NAME, vfs.name);
      await connection.script(CONNECTION_PRAGMAS);
      return {
        connection,
        storage: "opfs",
        async close() {
          await connection.close();
          await vfs.close();
        },
      };
    } catch (error) {
      await vfs.close().catch(() => undefined);
      if (Date.now() > deadline || !isBusyError(error)) throw error;
      await sleep(OPFS_OPEN_RETRY_STEP_MS);
    }
  }
}

function isBusyError(error: unknown): boolean {
  return error instanceof DOMException && (error.name === "NoModificationAllowedError" || error.name === "InvalidStateError");
}

/**
 * The stock `@vlcn.io/crsqlite-wasm` setup, unchanged: asyncify build with its IndexedDB VFS
 * ("idb-batch-atomic", relaxed durability). Only its raw wa-sqlite API is used from here on.
 */
export async function openIndexedDb(): Promise<OpenedDatabase> {
  const [{ default: initWasm }, { default: wasmUrl }] = await Promise.all([
    import("@vlcn.io/crsqlite-wasm"),
    import("@vlcn.io/crsqlite-wasm/crsqlite.wasm?url"),
  ]);
  const stock = await initWasm(() => wasmUrl);
  const api = (stock as unknown as { base: SqliteApi }).base;
  const connection = await SqliteConnection.open(api, DB_FILE_NAME, STOCK_IDB_VFS);
  await connection.script("PRAGMA temp_store = MEMORY");
  return { connection, storage: "idb", close: () => connection.close() };
}

export async function openMemory(): Promise<OpenedDatabase> {
  const connection = await SqliteConnection.open(await syncBuild(), ":memory:");
  await connection.script("PRAGMA temp_store = MEMORY");
  return { connection, storage: "memory", close: () => connection.close() };
}

/**
 * Deletes a closed database's storage for good, so the next open starts empty (used only when
 * the user switches this device to another account, after offering an export).
 */
export async function eraseStorage(kind: StorageKind): Promise<void> {
  if (kind === "opfs") {
    const root = await navigator.storage.getDirectory();
    await root.removeEntry(OPFS_POOL_DIRECTORY, { recursive: true }).catch((error: unknown) => {
      if (!(error instanceof DOMException && error.name === "NotFoundError")) throw error;
    });
  } else if (kind === "idb") {
    // The stock VFS keeps the database in this origin's IndexedDB; the app keeps nothing else there.
    for (const { name } of await indexedDB.databases()) {
      if (!name) continue;
      await new Promise<void>((resolve, reject) => {
        const request = indexedDB.deleteDatabase(name);
        request.onsuccess = () => resolve();
        request.onerror = () => reject(request.error ?? new Error(`could not delete ${name}`));
        request.onblocked = () => reject(new Error("the database is open in another window of this app; close it and try again"));
      });
    }
  }
  // memory: nothing was kept.
}

export interface OpenResult {
  opened: OpenedDatabase;
  /** Why the strongest storage was not used, for the user. */
  fallbackReason?: string;
}

const STORAGE_NAMES: Record<StorageKind, string> = { opfs: "The private file system (OPFS)", idb: "IndexedDB", memory: "Memory" };

const OPENERS: Record<StorageKind, () => Promise<OpenedDatabase>> = {
  opfs: openOpfs,
  idb: openIndexedDb,
  memory: openMemory,
};

/**
 * Opens the strongest storage that works, starting at `preferred` (a troubleshooting override).
 * An OPFS held by another tab is an error, not a reason to start an empty database elsewhere;
 * any other failure (no OPFS, a private window refusing it) falls through with a reason.
 */
export async function openBest(preferred: StorageKind = "opfs"): Promise<OpenResult> {
  const chain: StorageKind[] = ["opfs", "idb", "memory"];
  let fallbackReason: string | undefined;
  for (const kind of chain.slice(chain.indexOf(preferred))) {
    if (kind === "opfs" && !opfsSupported()) {
      fallbackReason = "This browser has no private file system (OPFS) here";
      continue;
    }
    try {
      return { opened: await OPENERS[kind](), fallbackReason };
    } catch (error) {
      if (isBusyError(error)) throw new Error("The database is busy in another window of this app; close it and reload.");
      fallbackReason = `${STORAGE_NAMES[kind]} is unavailable: ${errorMessage(error)}`;
    }
  }
  throw new Error(fallbackReason ?? "no storage available");
}
