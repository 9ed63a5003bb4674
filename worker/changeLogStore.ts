/**
 * The authoritative change log of one user, in the Durable Object's SQLite storage (through the
 * `SqlDatabase` seam, so it also runs on node:sqlite in tests).
 *
 * Invariants:
 * - `seq` is the server's version: strictly increasing, never reused (the head is stored, not
 *   derived from MAX(seq), because compaction deletes entries).
 * - Compaction follows cr-sqlite's merge order, never arrival order: per row the highest causal
 *   length (cl) wins and older entries of the row go; per cell at that cl only the highest
 *   col_version is kept, and every distinct value tied at it. Keeping the entry that arrived last
 *   instead would make a new device diverge (an older, more-edited value beats a later one on
 *   every device that saw both). Ties stay because devices break them by comparing SQLite values
 *   with types the wire does not carry exactly, so a winner picked here could differ from theirs.
 *   Tombstones (even cl) stay: a device that missed the delete still holds the row, and without
 *   the tombstone its next edit would be accepted and bring the row back for everyone.
 *   A winner is stored under a new seq, so devices that are behind receive it; dropping the
 *   entries it dominates is safe because cr-sqlite's merge is idempotent and order-independent.
 *   The log therefore grows with live cells, not with edits.
 * - Values are kept with their wire type, bit for bit.
 * All methods are synchronous; `append` is one transaction by itself.
 */
import type { Change } from "@vlcn.io/ws-common";
import { USER_LOG_FORMAT_VERSION, USER_STORAGE_QUOTA_BYTES } from "../shared/constants";
import { SENTINEL_CID } from "../shared/changeValidation";
import { ACCOUNT_KEY_SQL } from "./accountKey";
import { ACCOUNT_KEYS_SQL } from "./accountKeys";
import { DEVICE_REGISTRY_SQL, REFRESH_SQL } from "./deviceRegistry";
import { HANDSHAKE_COUNTER_SQL } from "./handshakeCounter";
import { SNAPSHOT_SQL } from "./snapshotStore";
import type { SqlDatabase, SqlExec } from "./sqlStore";
import { fromStored, toStored } from "./wireValue";

export interface LogEntry {
  seq: number;
  table: string;
  pk: Uint8Array;
  cid: string;
  value: null | bigint | number | string | Uint8Array;
  colVersion: number;
  cl: number;
}

export interface PeerCursor {
  version: number;
  seq: number;
}

export interface LogStats {
  head: number;
  rows: number;
  peers: number;
  /** Notes alive in the log (rows of `notes` whose causal length is odd): a new device's progress. */
  notes: number;
}

const FORMAT_MIGRATIONS: Record<number, string> = {
  1: `
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value);
    CREATE TABLE IF NOT EXISTS log (
      seq INTEGER PRIMARY KEY,
      origin BLOB NOT NULL,
      tbl TEXT NOT NULL,
      pk BLOB NOT NULL,
      cid TEXT NOT NULL,
      val_type INTEGER NOT NULL,
      val,
      col_version INTEGER NOT NULL,
      cl INTEGER NOT NULL,
      origin_version INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS log_by_cell ON log (tbl, pk, cid);
    CREATE TABLE IF NOT EXISTS row_cl (tbl TEXT NOT NULL, pk BLOB NOT NULL, cl INTEGER NOT NULL, PRIMARY KEY (tbl, pk)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS peers (
      site_id BLOB PRIMARY KEY,
      version INTEGER NOT NULL DEFAULT 0,
      seq INTEGER NOT NULL DEFAULT 0,
      device_id TEXT NOT NULL DEFAULT '',
      seen_at INTEGER NOT NULL DEFAULT 0
    );
  `,
  2: DEVICE_REGISTRY_SQL,
  3: HANDSHAKE_COUNTER_SQL,
  4: REFRESH_SQL,
  5: ACCOUNT_KEY_SQL,
  6: ACCOUNT_KEYS_SQL,
  7: SNAPSHOT_SQL,
};

/** DO SQL binds blobs as ArrayBuffer and returns them as ArrayBuffer. */
const blob = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer;

export class ChangeLogStore {
  /** Rotated only when the log is replaced (`replaceForEncryption`): devices then resend everything. */
  serverSiteId: Uint8Array;
  readonly #db: SqlDatabase;
  // Not `#private`: the soak's compaction mutant (testing/workerd/brokenCompaction.ts) reaches it.
  private readonly sql: SqlExec;
  #head: number;

  constructor(db: SqlDatabase) {
    this.#db = db;
    this.sql = db.sql;
    this.#migrate();
    this.serverSiteId = this.#ensureSiteId();
    this.#head = Number(this.#meta("head") ?? 0);
  }

  get head(): number {
    return this.#head;
  }

  #meta(key: string): unknown {
    return this.sql.exec("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value;
  }

  #setMeta(key: string, value: string | number | ArrayBuffer): void {
    this.sql.exec("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value);
  }

  #migrate(): void {
    this.sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value)");
    const current = Number(this.#meta("format_version") ?? 0);
    if (current > USER_LOG_FORMAT_VERSION) {
      throw new Error(`log format ${current} is newer than this server (${USER_LOG_FORMAT_VERSION}); deploy the newer server`);
    }
    for (let version = current + 1; version <= USER_LOG_FORMAT_VERSION; version++) {
      this.sql.exec(FORMAT_MIGRATIONS[version]!);
      this.#setMeta("format_version", version);
    }
  }

  /** A random 16-byte id, made once. It would be rotated if the log were ever rebuilt. */
  #ensureSiteId(): Uint8Array {
    const stored = this.#meta("server_site_id");
    if (stored instanceof ArrayBuffer && stored.byteLength === 16) return new Uint8Array(stored);
    const id = crypto.getRandomValues(new Uint8Array(16));
    this.#setMeta("server_site_id", blob(id));
    return id;
  }

  /** The user this log belongs to; set on first use and checked on every connection after. */
  owner(): string | undefined {
    const value = this.#meta("owner");
    return typeof value === "string" ? value : undefined;
  }

  setOwner(userId: string): void {
    this.#setMeta("owner", userId);
  }

  /** Bytes this user's storage takes now. */
  sizeBytes(): number {
    return this.sql.databaseSize;
  }

  /**
   * This user's storage quota: USER_STORAGE_QUOTA_BYTES, unless an operator set another for this
   * user in `meta.quota_bytes` (no route writes it).
   */
  quotaBytes(): number {
    const override = Number(this.#meta("quota_bytes"));
    return Number.isFinite(override) && override > 0 ? override : USER_STORAGE_QUOTA_BYTES;
  }

  /**
   * The last change of `site` stored here, as (db_version, seq): the device's push cursor.
   * Tracking seq too lets a device split one huge transaction across frames (see SyncDb).
   */
  peerCursor(site: Uint8Array): PeerCursor {
    const row = this.sql.exec("SELECT version, seq FROM peers WHERE site_id = ?", blob(site)).toArray()[0];
    return row ? { version: Number(row.version), seq: Number(row.seq) } : { version: 0, seq: 0 };
  }

  touchPeer(site: Uint8Array, deviceId: string): void {
    this.sql.exec(
      `INSERT INTO peers (site_id, device_id, seen_at) VALUES (?, ?, ?)
       ON CONFLICT (site_id) DO UPDATE SET device_id = excluded.device_id, seen_at = excluded.seen_at`,
      blob(site),
      deviceId,
      Date.now(),
    );
  }

  /**
   * Stores the changes a device pushed (already validated and de-duplicated), compacting as it
   * goes, and advances the device's cursor to `cursor`, in one transaction: a device is never
   * told to resume past changes that are not stored, nor asked to resend ones that are.
   * Returns how many entries were appended.
   */
  append(origin: Uint8Array, changes: readonly Change[], cursor: PeerCursor): number {
    try {
      return this.#db.transactionSync(() => {
        let appended = 0;
        const originBlob = blob(origin);
        for (const change of changes) if (this.#appendOne(originBlob, change)) appended++;
        this.sql.exec("UPDATE peers SET version = ?, seq = ?, seen_at = ? WHERE site_id = ?", cursor.version, cursor.seq, Date.now(), originBlob);
        this.#setMeta("head", this.#head);
        return appended;
      });
    } catch (error) {
      // The transaction rolled back; so does the head counted up in memory.
      this.#head = Number(this.#meta("head") ?? 0);
      throw error;
    }
  }

  /**
   * Replaces the whole log with `changes` (a key rotation's re-encrypted live state, pushed by
   * `origin`) in one transaction, only if `origin` has seen every entry (none after
   * `expectedHead` that it did not push itself) and `check` (run first,
   * inside the same transaction, with the rest of the caller's writes) finds nothing wrong. The
   * new entries get sequence numbers after the old head, so every device's cursor stays valid
   * and each receives the new state as changes it has not seen.
   */
  replaceLog(origin: Uint8Array, changes: readonly Change[], expectedHead: number, check: () => string | undefined): { ok: true; appended: number } | { ok: false; error: string } {
    try {
      return this.#db.transactionSync(() => {
        if (this.#unseenBy(origin, expectedHead)) return { ok: false as const, error: `the server has changes this device has not seen (after ${expectedHead}); sync, then try again` };
        const problem = check();
        if (problem) return { ok: false as const, error: problem };
        this.sql.exec("DELETE FROM log");
        this.sql.exec("DELETE FROM row_cl");
        let appended = 0;
        const originBlob = blob(origin);
        for (const change of changes) if (this.#appendOne(originBlob, change)) appended++;
        this.#setMeta("head", this.#head);
        return { ok: true as const, appended };
      });
    } catch (error) {
      this.#head = Number(this.#meta("head") ?? 0);
      throw error;
    }
  }

  /** Whether the log holds an entry after `cursor` that `site` did not push itself (so has not seen). */
  #unseenBy(site: Uint8Array, cursor: number): boolean {
    return this.sql.exec("SELECT 1 FROM log WHERE seq > ? AND origin != ? LIMIT 1", cursor, blob(site)).toArray().length > 0;
  }

  /** Whether `site` is a site id that `deviceId` announced (a device cannot push as another). */
  siteOf(site: Uint8Array, deviceId: string): boolean {
    return this.sql.exec("SELECT 1 FROM peers WHERE site_id = ? AND device_id = ?", blob(site), deviceId).toArray().length > 0;
  }

  #appendOne(origin: ArrayBuffer, [table, pk, cid, value, colVersionBig, dbVersion, , clBig]: Change): boolean {
    const pkBlob = blob(pk);
    const cl = Number(clBig);
    const colVersion = Number(colVersionBig);
    const rowCl = Number(this.sql.exec("SELECT cl FROM row_cl WHERE tbl = ? AND pk = ?", table, pkBlob).toArray()[0]?.cl ?? 0);
    if (cl < rowCl) return false; // devices ignore it too
    if (cl > rowCl) {
      // A newer life of the row (delete or resurrection) supersedes every entry of the older ones.
      this.sql.exec("DELETE FROM log WHERE tbl = ? AND pk = ?", table, pkBlob);
      this.sql.exec(
        "INSERT INTO row_cl (tbl, pk, cl) VALUES (?, ?, ?) ON CONFLICT (tbl, pk) DO UPDATE SET cl = excluded.cl",
        table,
        pkBlob,
        cl,
      );
    }
    const stored = toStored(value);
    if (cid === SENTINEL_CID) {
      const exists = this.sql.exec("SELECT 1 FROM log WHERE tbl = ? AND pk = ? AND cid = ? LIMIT 1", table, pkBlob, cid).toArray().length > 0;
      if (exists) return false; // same cl: a no-op for every device
    } else {
      const best = this.sql
        .exec("SELECT MAX(col_version) AS cv FROM log WHERE tbl = ? AND pk = ? AND cid = ?", table, pkBlob, cid)
        .toArray()[0]?.cv;
      if (best !== null && best !== undefined) {
        if (colVersion < Number(best)) return false;
        if (colVersion > Number(best)) {
          this.sql.exec("DELETE FROM log WHERE tbl = ? AND pk = ? AND cid = ?", table, pkBlob, cid);
        } else {
          const same = this.sql
            .exec(
              "SELECT 1 FROM log WHERE tbl = ? AND pk = ? AND cid = ? AND col_version = ? AND val_type = ? AND val IS ? LIMIT 1",
              table,
              pkBlob,
              cid,
              colVersion,
              stored.type,
              stored.value,
            )
            .toArray().length > 0;
          if (same) return false; // byte-identical tie: already there
        }
      }
    }
    this.#head += 1;
    this.sql.exec(
      `INSERT INTO log (seq, origin, tbl, pk, cid, val_type, val, col_version, cl, origin_version)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      this.#head,
      origin,
      table,
      pkBlob,
      cid,
      stored.type,
      stored.value,
      colVersion,
      cl,
      Number(dbVersion),
    );
    return true;
  }

  /** Entries after `cursor` that did not come from `exclude`, oldest first. */
  readSince(cursor: number, exclude: Uint8Array, limit: number): LogEntry[] {
    return this.sql
      .exec(
        "SELECT seq, tbl, pk, cid, val_type, val, col_version, cl FROM log WHERE seq > ? AND origin != ? ORDER BY seq LIMIT ?",
        cursor,
        blob(exclude),
        limit,
      )
      .toArray()
      .map((row) => ({
        seq: Number(row.seq),
        table: String(row.tbl),
        pk: new Uint8Array(row.pk as ArrayBuffer),
        cid: String(row.cid),
        value: fromStored(Number(row.val_type), row.val),
        colVersion: Number(row.col_version),
        cl: Number(row.cl),
      }));
  }

  /**
   * The last entry `deviceId` must have received before the log may be replaced: the highest seq
   * not pushed by one of that device's sites (a device never receives its own entries). 0 if none.
   */
  lastEntryFromOthers(deviceId: string): number {
    const row = this.sql
      .exec("SELECT max(seq) AS s FROM log WHERE origin NOT IN (SELECT site_id FROM peers WHERE device_id = ?)", deviceId)
      .toArray()[0];
    return Number(row?.s ?? 0);
  }

  /**
   * How far a snapshot made by `deviceId`'s site `site` at its cursor `seq` covers the log, never
   * past `until`: after its cursor, the entries that site pushed are in it too (a device never
   * receives its own), up to the first entry another site pushed. Undefined if `site` is not one
   * of `deviceId`'s.
   */
  snapshotCoverage(deviceId: string, site: Uint8Array, seq: number, until: number): number | undefined {
    if (!this.siteOf(site, deviceId)) return undefined;
    const row = this.sql.exec("SELECT min(seq) AS s FROM log WHERE seq > ? AND seq <= ? AND origin != ?", seq, until, blob(site)).toArray()[0];
    return row?.s === null || row?.s === undefined ? until : Number(row.s) - 1;
  }

  /**
   * Drops every entry and every device's cursor, and rotates the server's site id (issue 14: the
   * plaintext log of an account moving to encryption). Devices announce cursors for the old site
   * id, which is no longer ours, so each receives the new log from its start and resends all it
   * holds, the upgrading device first; the head keeps counting, so no seq is ever reused.
   * Call inside the caller's transaction.
   */
  replaceForEncryption(): void {
    this.sql.exec("DELETE FROM log");
    this.sql.exec("DELETE FROM row_cl");
    this.sql.exec("DELETE FROM peers");
    const id = crypto.getRandomValues(new Uint8Array(16));
    this.#setMeta("server_site_id", blob(id));
    this.serverSiteId = id;
  }

  /** Runs `fn` in one storage transaction. */
  transaction<T>(fn: () => T): T {
    return this.#db.transactionSync(fn);
  }

  stats(): LogStats {
    const count = (table: string) => Number(this.sql.exec(`SELECT count(*) AS n FROM ${table}`).toArray()[0]!.n);
    // Table names and row ids travel in the clear (only values are sealed): this counts nothing
    // the server could not count already. row_cl holds one row per (table, row) ever logged.
    const notes = Number(this.sql.exec("SELECT count(*) AS n FROM row_cl WHERE tbl = 'notes' AND cl % 2 = 1").toArray()[0]!.n);
    return { head: this.#head, rows: count("log"), peers: count("peers"), notes };
  }
}
