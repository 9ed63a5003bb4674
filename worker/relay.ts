/**
 * The relay between one user's devices, speaking the stock ws-common protocol so the stock
 * `@vlcn.io/ws-client` works unchanged. Plain code over `RelaySocket` and `ChangeLogStore`: the
 * UserLog Durable Object decodes frames and hands the relay's three messages to it.
 *
 * - Presence: check the schema, place the socket's cursor from what the device says it has seen
 *   of this server, tell the device where to resume pushing (StartStreaming), stream the backlog.
 * - Changes: refuse the whole message if one change is invalid (one bad change stored would block
 *   every other device, which cannot apply it); drop what is already stored; store the rest and
 *   advance the device's cursor in one transaction; then fan out to the user's other sockets.
 * - RejectChanges: rewind and resend, but stop after repeated rejections at one point or too
 *   many replays in a window (alternating cursors). Never send RejectChanges to a device: the
 *   stock client throws on it.
 * - Paging: a socket gets one page of the log per acknowledgement (its Ping), so one invocation
 *   never serves a whole backlog; a page left unacknowledged for BACKLOG_ACK_WAIT_MS counts as
 *   delivered (`serveOverdue`, run by the Durable Object's alarm) for clients that never ping.
 * - Quota: a push that would take the user's storage past its quota is refused whole first.
 *
 * Everything is synchronous, so each socket's messages are handled strictly in order.
 */
import { encode, tags, type AnnouncePresence, type Change, type Changes, type RejectChanges } from "@vlcn.io/ws-common";
import { invalidReason } from "../shared/changeValidation";
import { BACKLOG_ACK_WAIT_MS, MAX_REJECT_REPLAYS_PER_WINDOW, REJECT_REPLAY_WINDOW_MS, SCHEMA_NAME, STORAGE_BYTES_PER_WIRE_BYTE } from "../shared/constants";
import { SCHEMA_VERSION } from "../shared/migrations";
import { CloseCode } from "../shared/syncProtocol";
import type { ChangeLogStore, PeerCursor } from "./changeLogStore";
import { acknowledge, flushBacklog, toHex } from "./relayBacklog";
import { changeWireSize } from "../shared/wireSize";
import { refuse, type RelaySocket, type SocketState } from "./relaySocket";

/** Rejections at one cursor after which the device evidently cannot apply that data: stop resending. */
export const MAX_REJECTS_AT_CURSOR = 3;

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

/** (version, seq) order: the order in which a device's changes were made. */
const after = (a: PeerCursor, b: PeerCursor) => a.version > b.version || (a.version === b.version && a.seq > b.seq);

export interface RelayOptions {
  /** The clock; tests move it. */
  now?: () => number;
  /** Called when a socket's page is full with more to send: wake `serveOverdue` in BACKLOG_ACK_WAIT_MS. */
  onWaiting?: () => void;
  /** The account uses end-to-end encryption: values must be envelopes (issue 14). */
  encrypted?: () => boolean;
}

export class Relay {
  readonly #now: () => number;
  readonly #onWaiting: () => void;
  readonly #encrypted: () => boolean;

  /** `sockets` lists every open connection of this user, the pushing one included. */
  constructor(
    private readonly store: ChangeLogStore,
    private readonly sockets: () => Iterable<RelaySocket>,
    options: RelayOptions = {},
  ) {
    this.#now = options.now ?? Date.now;
    this.#onWaiting = options.onWaiting ?? (() => undefined);
    this.#encrypted = options.encrypted ?? (() => false);
  }

  presence(socket: RelaySocket, msg: AnnouncePresence): void {
    const state = socket.readState();
    const serverSite = this.store.serverSiteId;
    if (state.site) return refuse(socket, CloseCode.ProtocolError, "presence was already announced on this socket");
    if (sameBytes(msg.sender, serverSite)) return refuse(socket, CloseCode.ProtocolError, "device site id collides with the server's");
    if (msg.schemaName !== SCHEMA_NAME || msg.schemaVersion !== BigInt(SCHEMA_VERSION)) {
      return refuse(
        socket,
        CloseCode.SchemaMismatch,
        `schema mismatch: server has ${SCHEMA_NAME} v${SCHEMA_VERSION}, device has ${msg.schemaName.slice(0, 32)} v${msg.schemaVersion}; update the app`,
      );
    }
    // Where the device says it is in this server's log; the minimum if it lists us twice.
    let cursor: number | undefined;
    for (const [site, [version]] of msg.lastSeens) {
      if (sameBytes(site, serverSite)) cursor = Math.min(cursor ?? Infinity, Number(version));
    }
    // Ahead of our head means it saw a log we no longer have: resend everything rather than skip.
    if (cursor === undefined || cursor > this.store.head || cursor < 0) cursor = 0;

    this.store.touchPeer(msg.sender, state.deviceId);
    Object.assign(state, { site: toHex(msg.sender), cursor, ownUntil: 0, resetPending: false, rejectAt: -1, rejects: 0, stalled: false });
    acknowledge(state);
    socket.writeState(state);
    this.#startStreaming(socket, this.store.peerCursor(msg.sender));
    this.#flush(socket, state);
  }

  /** The device's Ping: it has what was sent before, so its next page may go out. */
  acknowledged(socket: RelaySocket): void {
    const state = socket.readState();
    if (!state.site || state.stalled) return;
    acknowledge(state);
    socket.writeState(state);
    this.#flush(socket, state);
  }

  /**
   * Sends the next page to every socket that has waited BACKLOG_ACK_WAIT_MS for an
   * acknowledgement. Returns whether some socket still waits (then run this again later).
   */
  serveOverdue(): boolean {
    let waiting = false;
    for (const socket of this.sockets()) {
      if (!socket.isOpen) continue;
      const state = socket.readState();
      if (!state.site || state.stalled || state.waitingSince === 0) continue;
      if (this.#now() - state.waitingSince < BACKLOG_ACK_WAIT_MS) {
        waiting = true;
        continue;
      }
      acknowledge(state);
      socket.writeState(state);
      try {
        if (flushBacklog(this.store, socket, state, this.#now())) waiting = true;
      } catch (error) {
        console.warn("UserLog: could not send a page to a socket", error);
      }
    }
    return waiting;
  }

  changes(socket: RelaySocket, msg: Changes): void {
    const state = socket.readState();
    if (!state.site) return; // before presence: StartStreaming will make the device resend
    if (toHex(msg.sender) !== state.site) return refuse(socket, CloseCode.ProtocolError, "sender differs from the announced site id");
    const known = this.store.peerCursor(msg.sender);
    if (msg.since[0] > BigInt(known.version)) {
      // A gap: we lost or dropped an earlier frame. Drop this one and rewind the device once.
      if (!state.resetPending) {
        state.resetPending = true;
        socket.writeState(state);
        this.#startStreaming(socket, known);
      }
      return;
    }
    const encrypted = this.#encrypted();
    for (const change of msg.changes) {
      const reason = invalidReason(change, { encrypted });
      if (reason) return refuse(socket, CloseCode.InvalidChange, `invalid change refused, nothing stored: ${reason}`);
    }
    // Already stored: everything up to (version, seq) of the cursor.
    const position = (c: Change): PeerCursor => ({ version: Number(c[5]), seq: c[8] });
    const fresh = msg.changes.filter((c) => c[5] > BigInt(known.version) || (c[5] === BigInt(known.version) && c[8] > known.seq));
    if (state.resetPending) {
      state.resetPending = false;
      socket.writeState(state);
    }
    if (fresh.length === 0) return;
    const quota = this.store.quotaBytes();
    const needed = fresh.reduce((n, [table, pk, cid, value]) => n + changeWireSize(table, pk, cid, value), 0) * STORAGE_BYTES_PER_WIRE_BYTE;
    if (this.store.sizeBytes() + needed > quota) {
      return refuse(
        socket,
        CloseCode.StorageQuota,
        `the server is full: this account's storage quota (${Math.floor(quota / 1024 / 1024)} MiB) is used up; nothing of this change was stored`,
      );
    }
    const cursor = fresh.map(position).reduce((max, next) => (after(next, max) ? next : max), known);
    this.store.append(msg.sender, fresh, cursor);
    this.#fanOut();
  }

  reject(socket: RelaySocket, msg: RejectChanges): void {
    const state = socket.readState();
    if (!state.site) return;
    const since = Number(msg.since[0]);
    const now = this.#now();
    state.rejects = since === state.rejectAt ? state.rejects + 1 : 1;
    state.rejectAt = since;
    if (now - state.replayWindowStart >= REJECT_REPLAY_WINDOW_MS) {
      state.replayWindowStart = now;
      state.replays = 0;
    }
    state.replays++;
    state.cursor = Math.max(0, Math.min(since, this.store.head));
    state.ownUntil = 0; // read again from the cursor the device asked for
    state.stalled = state.rejects > MAX_REJECTS_AT_CURSOR || state.replays > MAX_REJECT_REPLAYS_PER_WINDOW;
    // A replay starts a fresh page: what was in flight was not applied.
    acknowledge(state);
    socket.writeState(state);
    if (state.stalled) {
      console.warn(`UserLog: device ${state.deviceId} keeps rejecting (last at ${since}); not resending until it reconnects`);
      return;
    }
    this.#flush(socket, state);
  }

  /** One page to the socket; if more waits, the Durable Object is asked to come back for it. */
  #flush(socket: RelaySocket, state: SocketState): void {
    if (flushBacklog(this.store, socket, state, this.#now())) this.#onWaiting();
  }

  /**
   * Asks the device to (re)send everything after what is stored. `since` is [v, s + 1] once the
   * change (v, s) is stored: the stock adapter reads only v and re-sends group v (deduplicated
   * here); CoBrain's adapter resumes a transaction that was split across frames at seq s + 1.
   */
  #startStreaming(socket: RelaySocket, stored: PeerCursor): void {
    const since: [bigint, number] = stored.version === 0 ? [0n, 0] : [BigInt(stored.version), stored.seq + 1];
    socket.send(encode({ _tag: tags.StartStreaming, since, excludeSites: [this.store.serverSiteId], localOnly: false }));
  }

  /** Sends what is new to every announced socket; the pusher's own entries are excluded by origin. */
  #fanOut(): void {
    for (const socket of this.sockets()) {
      if (!socket.isOpen) continue;
      const state = socket.readState();
      if (!state.site || state.stalled) continue;
      try {
        this.#flush(socket, state);
      } catch (error) {
        // One closing socket must not fail the push that is already stored for everyone.
        console.warn("UserLog: could not relay to a socket", error);
      }
    }
  }
}
