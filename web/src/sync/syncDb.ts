/**
 * CoBrain's database adapter for the stock `@vlcn.io/ws-client` (its `DB` interface), over the
 * owner tab's connection. What it does that the stock ws-browserdb does not:
 * - hands out bounded chunks: no frame over the limit however large the offline backlog, even
 *   inside one huge transaction (a 10k-note import is one db_version); see `pullChangeset`;
 * - sends INTEGER cells as BigInt (exact; ws-common would send numbers as float64);
 * - reports which tables a sync apply changed, so live queries update;
 * - re-reads tracked peers each time it is asked (reconnects announce fresh cursors).
 */
import { traceMark } from "../db-worker/trace";
import { clockTables, quoted } from "../db-worker/clockIndexes";
import { createSyncedDB, type DB, type Transport } from "@vlcn.io/ws-client";
import type { Change } from "@vlcn.io/ws-common";
import { OUTBOUND_FRAME_TARGET_BYTES, PULL_PAGE_CHANGES } from "../../../shared/constants";
import { changeWireSize } from "../../../shared/wireSize";
import { changeColumns, mergeChanges, rowPosition, rowToChange } from "../db-worker/changes";
import { oversizeOf, recordHeld } from "./heldChanges";
import { cellKey, isMergedText, setAncestors, type TextCell } from "../merge/cellMerge";
import type { SqliteConnection, SqlValue } from "../db-worker/sqlite/connection";
import type { CellCipher } from "../crypto/cellCipher";
import { openReceived, recordRefused, type RefusedChange } from "../crypto/receivedCells";
import { SEALED_EXTRA_WIRE_BYTES } from "../../../shared/envelope";
import { COPY_VERSION_SETTING } from "../db-worker/snapshot";

/** Runs `fn` with the connection to itself: no other request may interleave with it. */
export type Exclusive = <T>(fn: (db: SqliteConnection) => Promise<T>) => Promise<T>;

/** What the sync status needs to know about the adapter's work. */
export interface SyncDbHooks {
  onPullStart?(): void;
  /** `more`: the pull was cut; another follows. */
  onPulled?(count: number, more: boolean): void;
  onApplyStart?(count: number): void;
  onApplyEnd?(): void;
  /** The last pulled chunk went out on the socket (see `watchSends`). */
  onSent?(): void;
  /** Changes no frame can carry were held aside (see heldChanges.ts). */
  onHeld?(count: number): void;
  /** Applying received changes wrote local edits (a text merge) that must be pushed. */
  onLocalWrites?(): void;
  /** Received changes that did not decrypt or failed their checks: held aside, not applied. */
  onRefused?(refused: readonly RefusedChange[]): void;
}

// Site ids are left out: the server attributes every change to the device on the socket.
const PULL_AFTER = `SELECT ${changeColumns("NULL")} FROM crsql_changes
  WHERE db_version > ? AND site_id IS NOT ? ORDER BY db_version, seq LIMIT ?`;
// A window of seqs, not `seq >= ? ... LIMIT`: cr-sqlite reads (values included) and sorts every
// change of the version before a LIMIT applies, so paging through a 10,000-note import (one
// version of 70,000 changes) cost a whole-version read per page. See lastSeqOf.
const PULL_WITHIN = `SELECT ${changeColumns("NULL")} FROM crsql_changes
  WHERE db_version = ? AND seq >= ? AND seq < ? AND site_id IS NOT ? ORDER BY seq`;
const DB_VERSION = "SELECT crsql_db_version()";
const COPY_VERSION = "SELECT value FROM local_settings WHERE key = ?";
const TRACK_PEER = `INSERT INTO crsql_tracked_peers (site_id, tag, event, version, seq) VALUES (?, 0, 0, ?, 0)
  ON CONFLICT (site_id, tag, event) DO UPDATE SET version = MAX(version, excluded.version)`;

/** The highest seq written at `version`, from cr-sqlite's clock tables (indexed by (db_version, seq), clockIndexes.ts). */
async function lastSeqOf(db: SqliteConnection, version: bigint): Promise<number> {
  const clocks = await clockTables(db);
  if (clocks.length === 0) return -1;
  const union = clocks.map((t) => `SELECT max(seq) AS s FROM ${quoted(t)} WHERE db_version = ?`).join(" UNION ALL ");
  const { rows } = await db.exec(`SELECT max(s) FROM (${union})`, clocks.map(() => version));
  return rows[0]?.[0] === null || rows[0]?.[0] === undefined ? -1 : Number(rows[0][0]);
}

/**
 * This device holds no change of its own (none but the excluded server's) with a version in
 * (base, upTo]. A claim about the database alone, never about what the server has. See `SyncDb.#floor`.
 */
interface Floor {
  base: bigint;
  upTo: bigint;
}

const dbVersion = async (db: SqliteConnection) => BigInt((await db.exec(DB_VERSION)).rows[0]![0] as number | bigint);

/** See `SyncDb.#leftover`. */
interface Leftover {
  version: bigint;
  from: number;
  readTo: number;
  rows: SqlValue[][];
}

/**
 * The rows after `consumed` that belong to the version of `last` (the last change handed out):
 * rows come in (db_version, seq) order, and a version's rows are all there up to the last one
 * read, so they are every change of that version from `last`'s seq + 1 to that row's.
 */
function leftoverOf(rows: SqlValue[][], consumed: number, last: Change): Leftover | undefined {
  let end = consumed;
  let lastSeq = -1;
  for (; end < rows.length; end++) {
    const [version, seq] = rowPosition(rows[end]!);
    if (version !== last[5]) break;
    lastSeq = seq;
  }
  if (end === consumed) return undefined;
  return { version: last[5], from: last[8] + 1, readTo: lastSeq + 1, rows: rows.slice(consumed, end) };
}

export class SyncDb implements DB {
  readonly #exclusive: Exclusive;
  readonly #hooks: SyncDbHooks;
  readonly #listeners = new Set<() => void>();
  /** Where to resume a transaction cut in the middle, once the chunk before it has gone out. */
  #partial: { version: bigint; nextSeq: number } | undefined;
  /** Where the last pull stopped; becomes `#partial` only when that chunk is actually sent. */
  #pulledTo: { version: bigint; nextSeq: number; cut: boolean } | undefined;
  /**
   * Rows a pull read inside one version beyond what its frame could carry: every change of
   * `version` with a seq in [from, readTo). The next pull that resumes at `from` starts with them
   * instead of reading them again (a page of PULL_PAGE_CHANGES held about a third of a frame's
   * worth of an import's sealed notes). A row that changed since is sent as it was read, as if
   * it had been pulled a moment earlier: the newer value follows at its own version.
   */
  #leftover: Leftover | undefined;
  /**
   * A range of versions holding no change of this device's own, so that a pull skips the changes
   * received there. cr-sqlite finds a device's own changes only by reading every change after the
   * cursor (`site_id IS NOT ?` cannot use an index), and after a first sync that is every change
   * received: 84,000 for 12,000 notes, read again by the first save. Skipped only when the
   * stream's cursor is at or past `base`, so the pull still reads everything of its own above the
   * cursor: whatever the server lacks (a frame it dropped, a log it lost) is sent again. Set by the
   * account's copy (nothing at or below its version was this device's), by a pull that read to
   * the end (nothing after the last change it read), and raised by an apply that wrote nothing of
   * this device's own while it was current. It never depends on an acknowledgement.
   */
  #floor: Floor | undefined;
  /** The account's copy's floor: it holds whatever the cursor (nothing in the copy was this device's). */
  readonly #copyFloor: Floor | undefined;
  /** Text cells in the last pulled chunk, and those sent and not yet acknowledged (by cell). */
  #pulledCells: TextCell[] = [];
  #awaitingAck = new Map<string, TextCell>();
  /**
   * A pull is under way, and a change was announced meanwhile. The stock stream has no guard: a
   * second pull started from the same cursor is dropped when the first one's send moves the
   * cursor ("reset"), and what only it had found would wait for the next local write. So a
   * change during a pull asks again once that pull's chunk has gone out.
   */
  #pulling = false;
  #changedWhilePulling = false;
  #closed = false;

  /** Seals values on their way out and opens them on their way in (end-to-end encryption). */
  #cipher: CellCipher | undefined;

  readonly siteid: Uint8Array;

  private constructor(siteid: Uint8Array, exclusive: Exclusive, hooks: SyncDbHooks, cipher: CellCipher | undefined, copyVersion: bigint | undefined) {
    this.siteid = siteid;
    // Nothing at or below the copy's version is this device's: it all came with the copy.
    if (copyVersion !== undefined) this.#copyFloor = this.#floor = { base: 0n, upTo: copyVersion };
    this.#exclusive = exclusive;
    this.#hooks = hooks;
    this.#cipher = cipher;
  }

  /** Encrypt from now on (or not: reading an account's plaintext log before it moves to encryption). */
  useCipher(cipher: CellCipher | undefined): void {
    this.#cipher = cipher;
  }

  static async open(exclusive: Exclusive, hooks: SyncDbHooks = {}, cipher?: CellCipher): Promise<SyncDb> {
    const [siteId, copyVersion] = await exclusive(async (db) => [
      (await db.exec("SELECT crsql_site_id()")).rows[0]![0] as Uint8Array,
      (await db.exec(COPY_VERSION, [COPY_VERSION_SETTING])).rows[0]?.[0],
    ]);
    return new SyncDb(siteId, exclusive, hooks, cipher, typeof copyVersion === "string" && /^\d+$/.test(copyVersion) ? BigInt(copyVersion) : undefined);
  }

  /**
   * Local changes after `since`, at most one frame's worth. The stock client then sets its
   * cursor to [last db_version, 0], so a cut inside a transaction is remembered here and the
   * next pull at that version resumes at the next seq. A server may also ask to resume inside a
   * transaction with since = [v, seq > 0] (the UserLog does after storing part of one).
   */
  async pullChangeset(since: readonly [bigint, number], excludeSites: readonly Uint8Array[]): Promise<Change[]> {
    // The stock stream's retry timer ("reconnecting", "buffer-full") survives its stop(): a
    // stopped session would otherwise pull every few seconds forever, and a pull its database's
    // closing cut short would end as an unhandled rejection.
    if (this.#closed) return [];
    this.#pulling = true;
    try {
      const changes = await this.#pull(since, excludeSites);
      return this.#closed ? [] : changes;
    } catch (error) {
      if (this.#closed) return [];
      throw error;
    } finally {
      this.#pulling = false;
      if (this.#changedWhilePulling) {
        this.#changedWhilePulling = false;
        // After the stock stream has sent what this pull returned (it does so synchronously).
        setTimeout(() => this.notifyLocalChange(), 0);
      }
    }
  }

  async #pull(since: readonly [bigint, number], excludeSites: readonly Uint8Array[]): Promise<Change[]> {
    this.#hooks.onPullStart?.();
    const [asked, seqPart] = since;
    let version = asked;
    let resumeSeq: number | undefined;
    if (seqPart > 0) resumeSeq = seqPart;
    else if (this.#partial?.version === version) resumeSeq = this.#partial.nextSeq;
    // The copy's floor starts at 0, so whichever floor is chosen starts at or below the cursor.
    const floor = this.#floor && asked >= this.#floor.base ? this.#floor : this.#copyFloor;
    if (resumeSeq === undefined && floor && floor.upTo > version) version = floor.upTo;
    this.#pulledTo = undefined;
    let current = -1n;
    const exclude = excludeSites[0] ?? null;

    const leftover = this.#leftover;
    this.#leftover = undefined;
    const rows = await this.#exclusive(async (db) => {
      // Once the database is this pull's: the wait for its turn is not the read's cost.
      traceMark("pull started");
      current = await dbVersion(db);
      const found: SqlValue[][] = [];
      let versionDone = true;
      if (resumeSeq !== undefined) {
        // Windows of seqs until the page is full or the version ends (seqs may have gaps).
        const last = await lastSeqOf(db, version);
        let from = resumeSeq;
        if (leftover && leftover.version === version && leftover.from === resumeSeq) {
          found.push(...leftover.rows);
          from = leftover.readTo;
        }
        while (found.length < PULL_PAGE_CHANGES && from <= last) {
          const to = from + (PULL_PAGE_CHANGES - found.length);
          found.push(...(await db.exec(PULL_WITHIN, [version, from, to, exclude])).rows);
          from = to;
        }
        versionDone = from > last;
      }
      if (found.length < PULL_PAGE_CHANGES && versionDone) {
        found.push(...(await db.exec(PULL_AFTER, [version, exclude, PULL_PAGE_CHANGES - found.length])).rows);
      }
      return found;
    });

    const changes: Change[] = [];
    // A change no frame can carry would close every socket with 1009 and stall the rest: it is
    // held aside (recorded and shown), and the stream goes on past it.
    const held: { change: Change; bytes: number }[] = [];
    let size = 0;
    let consumed = 0;
    for (const row of rows) {
      const change = rowToChange(row);
      const oversize = oversizeOf(change, this.#cipher ? SEALED_EXTRA_WIRE_BYTES : 0);
      if (oversize !== undefined) {
        held.push({ change, bytes: oversize });
        consumed++;
        continue;
      }
      const changeSize = changeWireSize(change[0], change[1], change[2], change[3]) + (this.#cipher ? SEALED_EXTRA_WIRE_BYTES : 0);
      if (changes.length > 0 && size + changeSize > OUTBOUND_FRAME_TARGET_BYTES) break;
      changes.push(change);
      size += changeSize;
      consumed++;
    }
    if (held.length > 0) {
      await this.#exclusive((db) => recordHeld(db, held));
      this.#hooks.onHeld?.(held.length);
    }
    this.#pulledCells = changes
      .filter(([table, , cid, val]) => typeof val === "string" && isMergedText(table, cid))
      .map(([table, pk, cid, val]) => ({ table, pk, cid, val: val as string }));
    const cut = changes.length > 0 && (consumed < rows.length || rows.length === PULL_PAGE_CHANGES);
    // Read to the end: nothing of this device's own after the last change read, up to `current`
    // (and with nothing read, nothing after where the read started, nor in the floor it skipped).
    if (resumeSeq === undefined && rows.length < PULL_PAGE_CHANGES && consumed === rows.length) {
      const base = rows.length > 0 ? rowPosition(rows.at(-1)!)[0] : version === asked || !floor ? asked : floor.base;
      this.#floor = { base, upTo: current };
    }
    if (changes.length > 0) {
      const last = changes[changes.length - 1]!;
      this.#pulledTo = { version: last[5], nextSeq: last[8] + 1, cut };
      if (cut) this.#leftover = leftoverOf(rows, consumed, last);
    }
    this.#hooks.onPulled?.(changes.length, cut);
    const out = this.#cipher ? changes.map((change) => this.#cipher!.seal(change)) : changes;
    traceMark("changes pulled");
    return out;
  }

  /**
   * The stock ws-client's synced database over this adapter and `transport` (whose sends are
   * watched, see `watchSends`). Call `start()` on the result to begin syncing.
   */
  syncOver(transport: Transport, options: { url: string; room: string; authToken?: string }) {
    return createSyncedDB({ dbProvider: async () => this, transportProvider: () => this.watchSends(transport) }, options.room, options);
  }

  /**
   * Makes `transport` report each successful send here. Only a chunk that went out moves the
   * resume point: if a send fails, the stock stream rewinds and the same chunk is pulled again.
   */
  watchSends<T extends { sendChanges(msg: never): "reconnecting" | "buffer-full" | "sent" }>(transport: T): T {
    const send = transport.sendChanges.bind(transport);
    transport.sendChanges = ((msg: never) => {
      const result = send(msg);
      if (result === "sent") {
        traceMark("changes sent");
        this.#sent();
      }
      return result;
    }) as T["sendChanges"];
    return transport;
  }

  #sent(): void {
    this.#hooks.onSent?.();
    const pulled = this.#pulledTo;
    this.#pulledTo = undefined;
    for (const cell of this.#pulledCells.splice(0)) this.#awaitingAck.set(cellKey(cell), cell);
    this.#partial = pulled?.cut ? { version: pulled.version, nextSeq: pulled.nextSeq } : undefined;
    // The stock stream pulls again only on a change event: raise one to drain the backlog.
    if (pulled?.cut) setTimeout(() => this.notifyLocalChange(), 0);
  }

  /**
   * The server has stored everything sent so far (a Pong answered every Ping): the text values
   * sent become their cells' ancestors for three-way merges (web/src/merge/cellMerge.ts).
   */
  async acknowledgeSent(): Promise<void> {
    if (this.#awaitingAck.size === 0) return;
    const cells = [...this.#awaitingAck.values()];
    this.#awaitingAck.clear();
    await this.#exclusive((db) => db.transaction(() => setAncestors(db, cells)));
  }

  /** The connection dropped: what was sent may not be stored, so it must not become an ancestor. */
  forgetUnacknowledged(): void {
    this.#awaitingAck.clear();
  }

  async applyChangesetAndSetLastSeen(changes: readonly Change[], siteId: Uint8Array, end: readonly [bigint, number]): Promise<void> {
    traceMark("apply started");
    this.#hooks.onApplyStart?.(changes.length);
    // A value received for a cell is newer server state than one sent before it.
    for (const [table, pk, cid] of changes) this.#awaitingAck.delete(cellKey({ table, pk, cid }));
    try {
      const { open, refused } = this.#cipher ? openReceived(this.#cipher, changes) : { open: changes, refused: [] };
      traceMark("changes opened");
      const localWrites = await this.#exclusive(async (db) => {
        const floor = this.#floor;
        const before = floor ? await dbVersion(db) : undefined;
        const written = await db.transaction(async () => {
          const written = await mergeChanges(db, siteId, open);
          if (refused.length > 0) await recordRefused(db, refused);
          await db.exec(TRACK_PEER, [siteId, end[0]]);
          traceMark("changes merged");
          return written;
        });
        // Only the server's changes were written: the floor, if it was current, still holds above them.
        if (floor && this.#floor === floor && floor.upTo === before && written === 0) this.#floor = { base: floor.base, upTo: await dbVersion(db) };
        return written;
      });
      traceMark("changes applied");
      if (refused.length > 0) this.#hooks.onRefused?.(refused);
      if (localWrites > 0) {
        if (this.#hooks.onLocalWrites) this.#hooks.onLocalWrites();
        else this.notifyLocalChange();
      }
    } finally {
      this.#hooks.onApplyEnd?.();
    }
  }

  async getLastSeens(): Promise<[Uint8Array, [bigint, number]][]> {
    const { rows } = await this.#exclusive((db) => db.exec("SELECT site_id, version, seq FROM crsql_tracked_peers"));
    return rows.map(([site, version, seq]) => [site as Uint8Array, [BigInt(version as number), Number(seq)]]);
  }

  async getSchemaNameAndVersion(): Promise<[string, bigint]> {
    const { rows } = await this.#exclusive((db) =>
      db.exec("SELECT key, value FROM crsql_master WHERE key IN ('schema_name', 'schema_version')"),
    );
    const values = new Map(rows.map(([key, value]) => [key, value]));
    return [String(values.get("schema_name") ?? ""), BigInt((values.get("schema_version") as number | bigint | undefined) ?? -1)];
  }

  onChange(cb: () => void): () => void {
    this.#listeners.add(cb);
    return () => this.#listeners.delete(cb);
  }

  /** Tells the outbound stream that local writes are waiting (after the pull under way, if any). */
  notifyLocalChange(): void {
    if (this.#pulling) this.#changedWhilePulling = true;
    else this.#emit();
  }

  #emit(): void {
    for (const listener of this.#listeners) listener();
  }

  /** The session stopped (the stock client calls this from its stop()). */
  close(): void {
    this.#closed = true;
    this.#listeners.clear();
  }
}
