/**
 * A copy of a synced device's database that a new device of the same account can start from,
 * instead of replaying the account's whole change log cell by cell (README, "A new device starts
 * from a copy").
 *
 * The copy must leave the new device exactly where replaying the log up to the copy's server seq
 * would, and must carry nothing of the device that made it:
 * - its private tables (`local_settings`: credentials and keys; the sync activity, held and
 *   refused changes) are emptied, then the file is VACUUMed so no freed page keeps their bytes;
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
 * Largest database copied (about 80,000 of the benchmark's notes): the copy is made, VACUUMed,
 * gzipped and sealed in memory, on a phone too, at a peak of about three times its size; gzipped,
 * it stays far under the server's SNAPSHOT_MAX_BYTES. Larger accounts' new devices receive the
 * log change by change.
 */
export const COPY_MAX_DATABASE_BYTES = 96 * 1024 * 1024;
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
    return [result, new Uint8Array(file.data.slice(0, file.size))];
  } finally {
    vfs.mapNameToFile.delete(name);
    vfs.mapNameToFile.delete(`${name}-journal`);
  }
}

const one = async (db: SqliteConnection, sql: string, params: SqlValue[] = []) => (await db.exec(sql, params)).rows[0]?.[0];

/** Runs a task alone on the device's connection (the database host's `exclusive`). */
export type RunAlone = <T>(fn: (db: SqliteConnection) => Promise<T>) => Promise<T>;

/**
 * Copies the device's database for a new device. `serverSite` is the server's site id. Only the
 * checks and SQLite's `VACUUM INTO` (one read transaction: the database as of one moment) hold
 * the connection (`runAlone`), and only if `mayCopy()` still says so there; the copy's scrubbing
 * and VACUUM run in memory beside it, so the person's writes wait for the read alone. Resolves to
 * undefined when `mayCopy()` said no; throws NoCopyError when this device's state must not be copied.
 */
export async function makeCopy(runAlone: RunAlone, serverSite: Uint8Array, mayCopy: () => boolean = () => true): Promise<DatabaseCopy | undefined> {
  const name = `copy-${++copies}.db`;
  const taken = await runAlone(async (db) => {
    if (!mayCopy()) return undefined;
    if (Number(await one(db, "SELECT count(*) FROM sync_held")) > 0) throw new NoCopyError("changes are held aside on this device");
    if (Number(await one(db, "SELECT count(*) FROM sync_refused")) > 0) throw new NoCopyError("received changes were refused on this device");
    const size = Number(await one(db, "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"));
    if (size > COPY_MAX_DATABASE_BYTES) throw new NoCopyError(`the database (${Math.round(size / 1024 / 1024)} MiB) is larger than a copy may be`);
    const api = db.sqliteApi;
    const vfs = memoryVfs(api);
    const target = `${name}?vfs=${vfs.name}`;
    await db.exec(`VACUUM INTO ?`, [`file:${target}`]);
    // wa-sqlite hands this VFS the URI's query with the name: the copy is filed under both.
    const written = vfs.mapNameToFile.get(target);
    vfs.mapNameToFile.delete(target);
    if (!written) throw new Error("the copy was not written");
    vfs.mapNameToFile.set(name, written);
    return { api, vfs, site: (await db.exec("SELECT crsql_site_id()")).rows[0]![0] as Uint8Array };
  });
  if (!taken) return undefined;
  const { api, vfs, site } = taken;
  const [made, bytes] = await withMemoryFile(api, vfs, name, async (copy) => {
    const made = await copy.transaction(async () => {
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
    await copy.script("VACUUM"); // no freed page keeps what was deleted
    return made;
  });
  return { bytes, ...made, site };
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
 */
export async function adoptCopy(api: SqliteApi, received: Uint8Array, coveredSeq: number, privateRows: readonly PrivateRow[]): Promise<Uint8Array> {
  if (received.length < 512 || !SQLITE_HEADER.every((byte, i) => received[i] === byte)) throw new BadCopyError("it is not a database file");
  const vfs = memoryVfs(api);
  const name = `adopted-${++copies}.db`;
  const data = received.slice().buffer;
  // wa-sqlite's MemoryVFS keeps each file as an ArrayBuffer and its size; the copy goes in as is.
  vfs.mapNameToFile.set(name, { name, flags: 0, size: data.byteLength, data } as never);
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
