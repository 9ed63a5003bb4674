/**
 * The storage backends, strongest first: OPFS (sync build + access-handle pool, in a dedicated
 * worker), IndexedDB (the asyncify build and wa-sqlite's IndexedDB VFS, strict durability), memory (nothing kept).
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
import { IndexedDbStuckError, probeIndexedDb } from "./idbProbe";
import { placeEmptyDatabase, unpackEmptyDatabase, unplaceEmptyDatabase, type FileVfs } from "./placeEmptyDatabase";
import { readDatabaseFile } from "./readDatabaseFile";

/**
 * The IndexedDB VFS's name, which is also its IndexedDB database's name: the one
 * `@vlcn.io/crsqlite-wasm` uses, so databases it created stay readable.
 */
const IDB_VFS = "idb-batch-atomic";

export interface OpenedDatabase {
  connection: SqliteConnection;
  storage: StorageKind;
  /** The database file's bytes as committed, for the account's copy (OPFS only; the connection must be held between transactions). */
  readFile?: () => Uint8Array;
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

/** cr-sqlite's synchronous WebAssembly build, started on this thread (the copy worker starts one of its own). */
export async function syncBuild(): Promise<SqliteApi> {
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

/** wa-sqlite's access-handle pool VFS (shipped as plain JS), as this file uses it. */
type PoolVfs = Parameters<SqliteApi["vfs_register"]>[0] & { name: string; close(): Promise<void> };

/**
 * The access-handle pool over OPFS_POOL_DIRECTORY, its handles open (released again if that
 * fails). Marked handled at once: the caller awaits it only after the WASM has loaded.
 */
function startPool(): Promise<PoolVfs> {
  const starting = (async () => {
    // @ts-expect-error example VFS shipped as plain JS
    const { AccessHandlePoolVFS } = await import("@vlcn.io/wa-sqlite/src/examples/AccessHandlePoolVFS.js");
    const vfs = new AccessHandlePoolVFS(OPFS_POOL_DIRECTORY);
    try {
      await vfs.isReady;
      return vfs as PoolVfs;
    } catch (error) {
      await vfs.close().catch(() => undefined);
      throw error;
    }
  })();
  starting.catch(() => undefined);
  return starting;
}

/**
 * The migrated, empty database the build made (see emptyDatabase.ts), packed: its chunk loads
 * while the WASM does, and is unpacked only where a new database is placed.
 */
function startShippedDatabase(): Promise<string> {
  const loading = import("virtual:empty-database").then((module) => module.default);
  loading.catch(() => undefined); // reported where it is awaited
  return loading;
}

/**
 * Places the shipped database where none is yet (true if it did). Any failure (its chunk, no
 * DecompressionStream, the storage) leaves SQLite to create and migrate it, as it always could.
 */
async function placeShipped(vfs: PoolVfs, shipped: Promise<string>, copyWasBeingPlaced: boolean): Promise<boolean> {
  try {
    return await placeEmptyDatabase(vfs as unknown as FileVfs, DB_FILE_NAME, async () => unpackEmptyDatabase(await shipped), copyWasBeingPlaced);
  } catch (error) {
    console.warn("the shipped empty database could not be placed; creating one instead:", error);
    return false;
  }
}

/** A file beside the pool that exists while a copy of the account's database is being placed (see openOpfs). */
const COPY_MARKER = "cobrain-placing-copy";

async function copyMarker(action: "check" | "set" | "clear"): Promise<boolean> {
  const root = await navigator.storage.getDirectory();
  if (action === "set") return void (await root.getFileHandle(COPY_MARKER, { create: true })), true;
  try {
    if (action === "clear") await root.removeEntry(COPY_MARKER);
    else await root.getFileHandle(COPY_MARKER);
    return true;
  } catch {
    return false;
  }
}

/**
 * Opens the OPFS database. With `copy` (a new device starting from a copy of the account's
 * database, in a storage just erased), that file is placed instead of the shipped empty one, under
 * a marker: a placement cut short (the tab killed) is then written over with the empty database
 * at the next open, instead of reading as a damaged database of the person's. A copy that cannot
 * be placed throws (the caller starts over without it).
 */
export async function openOpfs(copy?: Uint8Array): Promise<OpenedDatabase> {
  // The pool's handles open while the WASM loads: neither needs the other before registration.
  let pool = startPool();
  // Looked for (or set) while the WASM loads; awaited before anything is placed.
  const marker = copy !== undefined ? copyMarker("set") : copyMarker("check");
  marker.catch(() => undefined);
  const shipped = startShippedDatabase();
  let api: SqliteApi;
  try {
    api = await syncBuild();
  } catch (error) {
    void pool.then((vfs) => vfs.close()).catch(() => undefined);
    throw error;
  }
  // A tab that is closing may still hold the handles for a moment; wait for it rather than
  // falling back to another storage, which would hide the user's data behind an empty one.
  const deadline = Date.now() + OPFS_OPEN_RETRY_MS;
  for (;;) {
    let vfs: PoolVfs | undefined;
    try {
      vfs = await pool;
      api.vfs_register(vfs, false);
      const copyWasBeingPlaced = await marker;
      const connection = copy
        ? await openCopyPlaced(api, vfs, copy)
        : await openPlaced(api, vfs, shipped, copyWasBeingPlaced);
      if (copyWasBeingPlaced) await copyMarker("clear");
      await connection.script(CONNECTION_PRAGMAS);
      const opened = vfs;
      return {
        connection,
        storage: "opfs",
        readFile: () => readDatabaseFile(opened as unknown as FileVfs, DB_FILE_NAME),
        async close() {
          await connection.close();
          await opened.close();
        },
      };
    } catch (error) {
      await vfs?.close().catch(() => undefined);
      if (Date.now() > deadline || !isBusyError(error)) throw error;
      await sleep(OPFS_OPEN_RETRY_STEP_MS);
      pool = startPool();
    }
  }
}

/**
 * Opens the database, placing the shipped one first where there is none. When SQLite then fails
 * to open a file placed here, it is emptied again: it holds nothing of the person's, and a file
 * with data in it would read as notes that did not open instead of letting the next storage try.
 */
async function openPlaced(api: SqliteApi, vfs: PoolVfs, shipped: Promise<string>, copyWasBeingPlaced: boolean): Promise<SqliteConnection> {
  const placed = await placeShipped(vfs, shipped, copyWasBeingPlaced);
  try {
    return await SqliteConnection.open(api, DB_FILE_NAME, vfs.name);
  } catch (error) {
    if (placed) {
      try {
        unplaceEmptyDatabase(vfs as unknown as FileVfs, DB_FILE_NAME);
      } catch {
        // left placed: the next open finds it and tries it again
      }
    }
    throw error;
  }
}

/** Places a copy of the account's database (the storage was just erased) and opens it; throws if either fails. */
async function openCopyPlaced(api: SqliteApi, vfs: PoolVfs, copy: Uint8Array): Promise<SqliteConnection> {
  if (!(await placeEmptyDatabase(vfs as unknown as FileVfs, DB_FILE_NAME, async () => copy, true))) {
    throw new Error("the copy could not be placed: a database is already there");
  }
  return SqliteConnection.open(api, DB_FILE_NAME, vfs.name);
}

function isBusyError(error: unknown): boolean {
  return error instanceof DOMException && (error.name === "NoModificationAllowedError" || error.name === "InvalidStateError");
}

/**
 * The asyncify build with wa-sqlite's IndexedDB VFS, registered here with strict durability.
 * `@vlcn.io/crsqlite-wasm`'s own setup registers it with "relaxed" durability, where a COMMIT
 * skips waiting for IndexedDB when the last wait was under 3 s ago: a 10,000-note import was
 * reported done while its pages were still queued in IndexedDB transactions, and a browser
 * closed or killed then lost all of it. Strict makes every COMMIT wait until IndexedDB says the
 * transaction is complete and flushed. Same VFS and IndexedDB database name as before, so data
 * written by the stock setup opens unchanged.
 */
export async function openIndexedDb(): Promise<OpenedDatabase> {
  const [{ default: factory }, { default: wasmUrl }, { IDBBatchAtomicVFS }] = await Promise.all([
    import("@vlcn.io/wa-sqlite/dist/crsqlite.mjs"),
    import("@vlcn.io/wa-sqlite/dist/crsqlite.wasm?url"),
    // @ts-expect-error example VFS shipped as plain JS
    import("@vlcn.io/wa-sqlite/src/examples/IDBBatchAtomicVFS.js"),
  ]);
  // The VFS waits without limit on a held database; the probe fails with the reason instead.
  await probeIndexedDb(IDB_VFS);
  const api = SQLite.Factory(await factory({ locateFile: () => wasmUrl }));
  const vfs = new IDBBatchAtomicVFS(IDB_VFS, { durability: "strict" });
  api.vfs_register(vfs, false);
  const connection = await SqliteConnection.open(api, DB_FILE_NAME, IDB_VFS);
  // EXTRA: a commit also waits for its rollback journal's deletion to reach IndexedDB (SQLite
  // passes syncDir to xDelete only at EXTRA, and this VFS waits only then). Under FULL a large
  // commit returned with the journal still on its way out, and a reload right after undid the
  // committed write: 0 of 30,000 notes left in e2e/durability.test.ts.
  await connection.script("PRAGMA temp_store = MEMORY; PRAGMA synchronous = EXTRA");
  return {
    connection,
    storage: "idb",
    async close() {
      await connection.close();
      await vfs.close(); // waits for IndexedDB to finish what it was given
    },
  };
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

/**
 * True when this database holds no note or anything else that syncs: nothing was ever written
 * to or merged into it (cr-sqlite's database version is still 0). Neither an empty schema nor
 * the schema version is a sign: cr-sqlite creates its tables in any database it opens, and a new
 * OPFS database starts migrated (emptyDatabase.ts).
 */
async function isNew(connection: SqliteConnection): Promise<boolean> {
  const { rows } = await connection.exec("SELECT crsql_db_version()");
  return Number(rows[0]![0]) === 0;
}

async function indexedDbExists(): Promise<boolean> {
  if (typeof indexedDB === "undefined" || typeof indexedDB.databases !== "function") return false;
  return (await indexedDB.databases()).some((db) => db.name === IDB_VFS);
}

/** Where the pool VFS keeps a file's data, after its header (wa-sqlite's AccessHandlePoolVFS). */
const POOL_FILE_HEADER_BYTES = 4096;

/**
 * The OPFS pool holds a file with data past its header: the notes database (or its journal) is
 * there, whatever made it fail to open.
 */
async function opfsHoldsDatabase(): Promise<boolean> {
  const root = await navigator.storage.getDirectory();
  const pool = await root.getDirectoryHandle(OPFS_POOL_DIRECTORY).catch(() => undefined);
  if (!pool) return false;
  // TypeScript's DOM library has no async iteration of a directory (DOM.AsyncIterable is not in ours).
  for await (const handle of (pool as unknown as { values(): AsyncIterable<FileSystemHandle> }).values()) {
    if (handle.kind === "file" && (await (handle as FileSystemFileHandle).getFile()).size > POOL_FILE_HEADER_BYTES) return true;
  }
  return false;
}

/**
 * IndexedDB holds the database the VFS made (its stores exist), not only the empty one the probe
 * creates when there was none. One that exists but will not open counts as holding it.
 */
async function indexedDbHoldsDatabase(): Promise<boolean> {
  if (!(await indexedDbExists())) return false;
  return new Promise((resolve) => {
    const request = indexedDB.open(IDB_VFS);
    request.onsuccess = () => {
      const made = request.result.objectStoreNames.length > 0;
      request.result.close();
      resolve(made);
    };
    request.onerror = () => resolve(true);
  });
}

/**
 * A new, empty OPFS database while IndexedDB holds one (an earlier visit used the IndexedDB
 * fallback or its override): open that one instead, so the app never shows "No notes yet" over
 * the person's notes. Returns undefined when OPFS is the right database.
 */
async function notesKeptInIndexedDb(opfs: OpenedDatabase): Promise<OpenResult | undefined> {
  if (!(await isNew(opfs.connection)) || !(await indexedDbExists().catch(() => false))) return undefined;
  const idb = await openIndexedDb().catch(() => undefined);
  if (!idb) return undefined;
  if (await isNew(idb.connection)) {
    await idb.close();
    return undefined;
  }
  await opfs.close();
  return { opened: idb, fallbackReason: "Your notes are kept in IndexedDB on this device, where an earlier visit saved them" };
}

export interface OpenResult {
  opened: OpenedDatabase;
  /** Why the strongest storage was not used, for the user. */
  fallbackReason?: string;
}

const STORAGE_NAMES: Record<StorageKind, string> = { opfs: "The private file system (OPFS)", idb: "IndexedDB", memory: "Memory" };

/** Whether a storage that failed to open holds the notes, and where that is, in the person's words. */
const HOLDS_DATABASE: Partial<Record<StorageKind, { check: () => Promise<boolean>; place: string }>> = {
  opfs: { check: opfsHoldsDatabase, place: "this browser's private file system (OPFS)" },
  idb: { check: indexedDbHoldsDatabase, place: "IndexedDB" },
};

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
      const opened = await OPENERS[kind]();
      if (kind === "opfs") {
        const kept = await notesKeptInIndexedDb(opened);
        if (kept) return kept;
      }
      return { opened, fallbackReason };
    } catch (error) {
      if (isBusyError(error)) throw new Error("The database is busy in another window of this app; close it and reload.");
      // A held IndexedDB still has the notes: an empty memory database would hide them.
      if (error instanceof IndexedDbStuckError) throw error;
      // So does one that failed to open for any other reason, and so does OPFS: an empty
      // database in the next storage would show "No notes yet" over them. Say so, change nothing.
      const holds = HOLDS_DATABASE[kind];
      if (holds && (await holds.check().catch(() => false))) {
        throw new Error(`Your notes are kept in ${holds.place} on this device, but it did not open (${errorMessage(error)}). Nothing was changed: reload to try again.`);
      }
      fallbackReason = `${STORAGE_NAMES[kind]} is unavailable: ${errorMessage(error)}`;
    }
  }
  throw new Error(fallbackReason ?? "no storage available");
}
