/**
 * A copy of a synced device's database that a new device of the same account can start from,
 * instead of replaying the account's whole change log cell by cell (README, "A new device starts
 * from a copy").
 *
 * The copy must leave the new device exactly where replaying the log up to the copy's server seq
 * would, and must carry nothing of the device that made it:
 * - its private tables (`local_settings`: credentials and keys; the sync activity, held and
 *   refused changes) are emptied with SQLite's `secure_delete` on, which overwrites deleted cells
 *   and freed pages with zeros, so no byte of them stays in the file;
 * - a replaying device records every change it receives as the server's (the server attributes
 *   them to the socket), so the maker's own changes are given the server's site ordinal;
 * - the maker's site id (ordinal 0) is removed: cr-sqlite gives any database without one a new
 *   random id when it opens it (as for the shipped empty database, emptyDatabase.ts);
 * - its cursor for the server stays, and the new device moves it to the seq the server says the
 *   copy covers (the maker's own pushes after its cursor are in the copy too).
 * A device whose changes are held aside (too large to send) or whose received changes were refused
 * makes no copy: the server lacks the first, and a new device starting after the second would
 * never see them.
 *
 * Hand-written because cr-sqlite has no snapshot API; it writes only cr-sqlite's bookkeeping
 * tables as cr-sqlite itself reads them (bootstrap.rs: the site id table and its ordinal 0).
 */
import { SCHEMA_VERSION } from "../../../shared/migrations";
import { clockTables, quoted } from "./clockIndexes";
import { registerMemoryVfs, type MemoryVfs } from "./sqlite/emptyDatabase";
import { SqliteConnection, type SqliteApi, type SqlValue } from "./sqlite/connection";

/** Tables only the device that wrote them may hold. */
const PRIVATE_TABLES = ["local_settings", "sync_activity", "sync_held", "sync_refused"] as const;
/**
 * Largest database copied (about 115,000 of the benchmark's notes; 100,000 take 163 MiB): the
 * copy is read, rebuilt, scrubbed, gzipped and sealed in memory, on a phone too, which raised the
 * maker's memory by 1.3–1.8 times the file at its peak (`npm run bench -- scale`); sealed, it stays
 * under the server's SNAPSHOT_MAX_BYTES (offerCopy checks). Larger accounts' new devices receive
 * the log change by change.
 */
export const COPY_MAX_DATABASE_BYTES = 192 * 1024 * 1024;
/**
 * local_settings key: the database version of the copy this device started from. Every change
 * at or below it came with the copy, as the server's, so none of them is this device's to push.
 */
export const COPY_VERSION_SETTING = "sync.copyVersion";
/** Every SQLite database file starts with these 16 bytes. */
const SQLITE_HEADER = new TextEncoder().encode("SQLite format 3\0");

/** What a device's database is copied into: the copy, and where in the server's log it stands. */
export interface DatabaseCopy {
  bytes: Uint8Array;
  /** The maker's cursor for the server: every change the server had up to it is in the copy. */
  seq: number;
  schemaVersion: number;
  /** The maker's site id: the server extends `seq` over what this site pushed after it. */
  site: Uint8Array;
}

/** Why a device makes no copy now. */
export class NoCopyError extends Error {
  override name = "NoCopyError";
}

/** A copy refused by the device receiving it: nothing of it was used. */
export class BadCopyError extends Error {
  override name = "BadCopyError";
}

const memoryVfsOf = new WeakMap<SqliteApi, MemoryVfs>();
let copies = 0;

/** One memory VFS per WebAssembly instance, for the copies it makes and checks. */
function memoryVfs(api: SqliteApi): MemoryVfs {
  let vfs = memoryVfsOf.get(api);
  if (!vfs) memoryVfsOf.set(api, (vfs = registerMemoryVfs(api)));
  return vfs;
}

/** Opens `name` in `vfs`, runs `fn`, closes it and hands back the file's bytes (removed from memory). */
async function withMemoryFile<T>(api: SqliteApi, vfs: MemoryVfs, name: string, fn: (db: SqliteConnection) => Promise<T>): Promise<[T, Uint8Array]> {
  try {
    const db = await SqliteConnection.open(api, name, vfs.name);
    let result: T;
    try {
      await db.script("PRAGMA temp_store = MEMORY");
      result = await fn(db);
    } finally {
      await db.close();
    }
    const file = vfs.mapNameToFile.get(name);
    if (!file) throw new Error("the copy was not written");
    // The file leaves the VFS below: its bytes are handed over as they are, not copied again.
    return [result, new Uint8Array(file.data, 0, file.size)];
  } finally {
    vfs.mapNameToFile.delete(name);
    vfs.mapNameToFile.delete(`${name}-journal`);
  }
}

const one = async (db: SqliteConnection, sql: string, params: SqlValue[] = []) => (await db.exec(sql, params)).rows[0]?.[0];

/** Runs a task alone on the device's connection (the database host's `exclusive`). */
export type RunAlone = <T>(fn: (db: SqliteConnection) => Promise<T>) => Promise<T>;

/** A copy scrubbed for a new device: its bytes, and where in the server's log it stands. */
export type ScrubbedCopy = Omit<DatabaseCopy, "site">;

/** How a device makes its copies; without either, everything runs on the connection's thread. */
export interface CopyMaking {
  /**
   * The database file's bytes as committed (sqlite/readDatabaseFile.ts), read while the
   * connection is held. Without it, the file is taken by `VACUUM INTO` on the connection.
   */
  readFile?: () => Uint8Array;
  /** Runs `rebuildAndScrub` on another thread (worker/copyWorker.ts), so the person's requests go on meanwhile. */
  scrub?: (file: Uint8Array, serverSite: Uint8Array, rebuild: boolean) => Promise<ScrubbedCopy>;
}

/**
 * Copies the device's database for a new device. `serverSite` is the server's site id. Only the
 * checks and the taking of the file (a read of its bytes, or SQLite's `VACUUM INTO` into memory)
 * hold the connection (`runAlone`), and only if `mayCopy()` still says so there; the rest runs
 * on the copy, on another thread when `making.scrub` says so. Resolves to undefined when
 * `mayCopy()` said no; throws NoCopyError when this device's state must not be copied.
 */
export async function makeCopy(runAlone: RunAlone, serverSite: Uint8Array, mayCopy: () => boolean = () => true, making: CopyMaking = {}): Promise<DatabaseCopy | undefined> {
  const taken = await runAlone(async (db) => {
    if (!mayCopy()) return undefined;
    if (Number(await one(db, "SELECT count(*) FROM sync_held")) > 0) throw new NoCopyError("changes are held aside on this device");
    if (Number(await one(db, "SELECT count(*) FROM sync_refused")) > 0) throw new NoCopyError("received changes were refused on this device");
    const size = Number(await one(db, "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"));
    if (size > COPY_MAX_DATABASE_BYTES) throw new NoCopyError(`the database (${Math.round(size / 1024 / 1024)} MiB) is larger than a copy may be`);
    const site = (await db.exec("SELECT crsql_site_id()")).rows[0]![0] as Uint8Array;
    if (making.readFile) return { api: db.sqliteApi, site, file: making.readFile(), rebuild: true };
    return { api: db.sqliteApi, site, file: await vacuumInto(db, size), rebuild: false };
  });
  if (!taken) return undefined;
  const { api, site, file, rebuild } = taken;
  const made = await (making.scrub ? making.scrub(file, serverSite, rebuild) : rebuildAndScrub(api, file, serverSite, rebuild));
  return { ...made, site };
}

/** The database rebuilt by SQLite's `VACUUM INTO` a file in memory (one read transaction). */
async function vacuumInto(db: SqliteConnection, size: number): Promise<Uint8Array> {
  const vfs = memoryVfs(db.sqliteApi);
  const name = `vacuumed-${++copies}.db`;
  const target = `${name}?vfs=${vfs.name}`;
  // Room for the whole file from the start: grown page by page, the VFS would double its buffer
  // (three times the file at the last growth). VACUUM INTO takes an empty file.
  vfs.mapNameToFile.set(target, { name: target, flags: 0, size: 0, data: new ArrayBuffer(size) } as never);
  try {
    await db.exec(`VACUUM INTO ?`, [`file:${target}`]);
    // wa-sqlite hands this VFS the URI's query with the name: the copy is filed under both.
    const written = vfs.mapNameToFile.get(target);
    if (!written) throw new Error("the copy was not written");
    return new Uint8Array(written.data, 0, written.size);
  } finally {
    vfs.mapNameToFile.delete(target);
    vfs.mapNameToFile.delete(`${target}-journal`);
  }
}

/**
 * Makes a taken file the copy a new device may start from (see the top of this file). `rebuild`:
 * the file was read as it lies on disk, so it is first rebuilt by `VACUUM INTO` (no page or
 * freed space keeps bytes of what was deleted on the maker). Runs on any thread with its own
 * cr-sqlite (`api`); `file` is taken over.
 */
export async function rebuildAndScrub(api: SqliteApi, file: Uint8Array, serverSite: Uint8Array, rebuild: boolean): Promise<ScrubbedCopy> {
  const vfs = memoryVfs(api);
  if (rebuild) {
    const taken = `taken-${++copies}.db`;
    putMemoryFile(vfs, taken, file);
    [file] = await withMemoryFile(api, vfs, taken, (db) => vacuumInto(db, file.length));
  }
  const name = `scrubbed-${++copies}.db`;
  putMemoryFile(vfs, name, file);
  const [made, bytes] = await withMemoryFile(api, vfs, name, async (copy) => {
    // Deleted rows and freed pages are zeroed as they go: no VACUUM, which would build a second
    // whole database in WebAssembly memory (which never shrinks back).
    await copy.script("PRAGMA secure_delete = ON");
    return copy.transaction(async () => {
      const peers = (await copy.exec("SELECT site_id, version, tag, event FROM crsql_tracked_peers")).rows;
      const others = peers.filter(([peer]) => !sameBytes(peer as Uint8Array, serverSite));
      if (others.length > 0) throw new NoCopyError("this device tracks a peer other than its server");
      const seq = Number(peers.find(([, , tag, event]) => Number(tag) === 0 && Number(event) === 0)?.[1] ?? 0);
      // A maker that never received a change has no cursor yet: the new device's starts here.
      if (peers.length === 0) await copy.exec("INSERT INTO crsql_tracked_peers (site_id, tag, event, version, seq) VALUES (?, 0, 0, 0, 0)", [serverSite]);
      let server = await one(copy, "SELECT ordinal FROM crsql_site_id WHERE site_id = ?", [serverSite]);
      if (server === undefined) {
        server = Number(await one(copy, "SELECT coalesce(max(ordinal), 0) + 1 FROM crsql_site_id"));
        await copy.exec("INSERT INTO crsql_site_id (site_id, ordinal) VALUES (?, ?)", [serverSite, server]);
      }
      for (const clock of await clockTables(copy)) await copy.exec(`UPDATE ${quoted(clock)} SET site_id = ? WHERE site_id = 0`, [server]);
      await copy.exec("DELETE FROM crsql_site_id WHERE ordinal = 0");
      for (const table of PRIVATE_TABLES) await copy.exec(`DELETE FROM ${table}`);
      await copy.exec("DELETE FROM sqlite_sequence WHERE name IN (SELECT value FROM json_each(?))", [JSON.stringify(PRIVATE_TABLES)]);
      return { seq, schemaVersion: Number(await one(copy, "PRAGMA user_version")) };
    });
  });
  return { bytes, ...made };
}

/** Files `bytes` in the memory VFS as `name`, as they are (wa-sqlite's MemoryVFS keeps an ArrayBuffer and a size). */
function putMemoryFile(vfs: MemoryVfs, name: string, bytes: Uint8Array): void {
  const data = bytes.byteOffset === 0 ? bytes.buffer : bytes.slice().buffer;
  vfs.mapNameToFile.set(name, { name, flags: 0, size: bytes.length, data } as never);
}

/** A private row this device carries into the copy it starts from (its sign-in and keys). */
export type PrivateRow = [key: string, value: string];

/** This device's own `local_settings`, to carry over. */
export async function privateRowsOf(db: SqliteConnection): Promise<PrivateRow[]> {
  return (await db.exec("SELECT key, value FROM local_settings")).rows.map(([key, value]) => [String(key), String(value)]);
}

/** Puts this device's private rows back into a database started over without the copy. */
export async function restorePrivateRows(db: SqliteConnection, rows: readonly PrivateRow[]): Promise<void> {
  for (const [key, value] of rows) await db.exec("INSERT OR REPLACE INTO local_settings (key, value) VALUES (?, ?)", [key, value]);
}

/** Nothing was ever written to or merged into this database (cr-sqlite's version is 0) and it has no cursor: a new device. */
export async function isNewDatabase(db: SqliteConnection): Promise<boolean> {
  return Number(await one(db, "SELECT crsql_db_version()")) === 0 && Number(await one(db, "SELECT count(*) FROM crsql_tracked_peers")) === 0;
}

/**
 * Checks a received copy and makes it this device's: its own private rows added, its cursor for
 * the server at `coveredSeq` (the server's word for how far the copy goes). Throws BadCopyError,
 * saying why, for anything but a sound copy of this app's schema made as `makeCopy` makes it.
 * `received` may be changed in place: it is not to be used again.
 */
export async function adoptCopy(api: SqliteApi, received: Uint8Array, coveredSeq: number, privateRows: readonly PrivateRow[]): Promise<Uint8Array> {
  if (received.length < 512 || !SQLITE_HEADER.every((byte, i) => received[i] === byte)) throw new BadCopyError("it is not a database file");
  const vfs = memoryVfs(api);
  const name = `adopted-${++copies}.db`;
  // A copy that starts its buffer (as received) goes in as it is, not copied again: the caller gives it up.
  putMemoryFile(vfs, name, received);
  try {
    const [, bytes] = await withMemoryFile(api, vfs, name, async (copy) => {
      const check = String(await one(copy, "PRAGMA quick_check").catch((error: unknown) => error));
      if (check !== "ok") throw new BadCopyError(`it is damaged (${check})`);
      const version = Number(await one(copy, "PRAGMA user_version"));
      if (!(version >= 1 && version <= SCHEMA_VERSION)) throw new BadCopyError(`it was made by ${version > SCHEMA_VERSION ? "a newer" : "an unknown"} version of the app (schema ${version})`);
      await copy.transaction(async () => {
        for (const table of PRIVATE_TABLES) {
          if (Number(await one(copy, `SELECT count(*) FROM ${table}`)) > 0) throw new BadCopyError(`it holds another device's ${table}`);
        }
        const peers = Number(await one(copy, "SELECT count(*) FROM crsql_tracked_peers WHERE tag = 0 AND event = 0"));
        if (peers !== 1) throw new BadCopyError("it does not say where in the server's log it stands");
        // cr-sqlite gave the copy a site id as it opened it (the maker's was removed). Drawn again
        // here whatever the file held: two devices must never share one, even from a copy that
        // kept its maker's.
        const mine = Number(await one(copy, "SELECT count(*) FROM crsql_site_id WHERE ordinal = 0"));
        if (mine !== 1) throw new BadCopyError("it has no site id of its own");
        await copy.exec("UPDATE crsql_site_id SET site_id = randomblob(16) WHERE ordinal = 0");
        await copy.exec("UPDATE crsql_tracked_peers SET version = max(version, ?) WHERE tag = 0 AND event = 0", [coveredSeq]);
        for (const [key, value] of privateRows) await copy.exec("INSERT INTO local_settings (key, value) VALUES (?, ?)", [key, value]);
        await copy.exec("INSERT OR REPLACE INTO local_settings (key, value) VALUES (?, CAST(crsql_db_version() AS TEXT))", [COPY_VERSION_SETTING]);
      });
    });
    return bytes;
  } catch (error) {
    if (error instanceof BadCopyError) throw error;
    throw new BadCopyError(`it could not be opened (${error instanceof Error ? error.message : String(error)})`);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
