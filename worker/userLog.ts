/**
 * UserLog: one Durable Object per user, holding that user's authoritative change log and relaying
 * changes between the user's devices over hibernatable WebSockets, speaking the stock ws-common
 * protocol so the stock `@vlcn.io/ws-client` works unchanged (checklist: protocol study §6).
 *
 * Hibernation-first: everything a socket needs survives eviction in its attachment; there are no
 * timers. Every message is handled synchronously (SQLite storage API, no await), so each socket's
 * messages are processed strictly in order and a store + cursor advance is one transaction.
 */
import { DurableObject } from "cloudflare:workers";
import { tags, type AnnouncePresence, type Change, type Changes, type Msg, type RejectChanges } from "@vlcn.io/ws-common";
import { invalidReason } from "../shared/changeValidation";
import { BACKLOG_PAGE_ROWS, MAX_FRAME_BYTES, OUTBOUND_FRAME_TARGET_BYTES, SCHEMA_NAME } from "../shared/constants";
import { SCHEMA_VERSION } from "../shared/migrations";
import { CloseCode } from "../shared/syncProtocol";
import { ChangeLogStore, type LogEntry, type LogStats, type PeerCursor } from "./changeLogStore";
import { DeviceRegistry, type DeviceRecord } from "./deviceRegistry";
import { decodeDeviceFrame, encode, FrameError } from "./frames";
import { wireSizeOf } from "../shared/wireSize";

/** Headers the Worker sets after verifying the token; the DO is not reachable otherwise. */
export const USER_HEADER = "X-CoBrain-User";
export const DEVICE_HEADER = "X-CoBrain-Device";

/** Rejections at one cursor after which the device evidently cannot apply that data: stop resending. */
const MAX_REJECTS_AT_CURSOR = 3;

/** Per-socket state, kept in the socket's attachment (≤ 2 KiB) so it survives hibernation. */
interface SocketState {
  userId: string;
  deviceId: string;
  /** Hex site id announced by the device; absent until AnnouncePresence. */
  site?: string;
  /** Highest log seq sent on this socket (the `since` of the next frame). */
  cursor: number;
  /** A re-StartStreaming was sent after a gap; further gapped frames are dropped silently. */
  resetPending: boolean;
  /** The cursor the device last rejected at, and how many times in a row. */
  rejectAt: number;
  rejects: number;
  /** The device keeps rejecting the same data: stop sending it until it reconnects. */
  stalled: boolean;
}

export interface Env {
  USER_LOG: DurableObjectNamespace<UserLog>;
  LINK_CODES: DurableObjectNamespace<import("./linkCodes").LinkCodes>;
  AUTH_SECRET: string;
  ASSETS: Fetcher;
}

const toHex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const fromHex = (hex: string) => new Uint8Array(hex.match(/../g)!.map((h) => parseInt(h, 16)));
const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

/** Close reasons are limited to 123 bytes. */
const reasonText = (reason: string) => (reason.length > 120 ? `${reason.slice(0, 117)}...` : reason);

export class UserLog extends DurableObject<Env> {
  readonly #store: ChangeLogStore;
  readonly #devices: DeviceRegistry;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#store = new ChangeLogStore(ctx.storage.sql);
    this.#devices = new DeviceRegistry(ctx.storage.sql);
  }

  /** The WebSocket upgrade, forwarded by the Worker with the verified identity in headers. */
  override async fetch(request: Request): Promise<Response> {
    const userId = request.headers.get(USER_HEADER);
    const deviceId = request.headers.get(DEVICE_HEADER);
    const protocol = request.headers.get("Sec-WebSocket-Protocol");
    if (!userId || !deviceId || !protocol) return new Response("missing identity", { status: 400 });
    const owner = this.#store.owner();
    if (owner === undefined) this.#store.setOwner(userId);
    else if (owner !== userId) return new Response("this log belongs to another user", { status: 403 });
    if (this.#devices.isRevoked(deviceId)) return new Response("this device was revoked", { status: 401 });
    this.#devices.touch(deviceId);

    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    const state: SocketState = { userId, deviceId, cursor: 0, resetPending: false, rejectAt: -1, rejects: 0, stalled: false };
    server.serializeAttachment(state);
    // The stock client refuses the connection unless its subprotocol is echoed exactly.
    return new Response(null, { status: 101, webSocket: client, headers: { "Sec-WebSocket-Protocol": protocol } });
  }

  /** For tests and benchmarks: how big the log is. */
  stats(): LogStats {
    return this.#store.stats();
  }

  /** False when the device was revoked; records that it was seen otherwise. */
  checkDevice(deviceId: string): boolean {
    if (this.#devices.isRevoked(deviceId)) return false;
    this.#devices.touch(deviceId);
    return true;
  }

  registerDevice(deviceId: string, details: { name?: string; platform?: string }): void {
    this.#devices.touch(deviceId, details);
  }

  listDevices(): DeviceRecord[] {
    return this.#devices.list();
  }

  renameDevice(deviceId: string, name: string): boolean {
    return this.#devices.rename(deviceId, name);
  }

  /** Refuses the device's token from now on and closes its open sockets at once. */
  revokeDevice(deviceId: string): boolean {
    if (!this.#devices.revoke(deviceId)) return false;
    for (const ws of this.ctx.getWebSockets()) {
      if ((ws.deserializeAttachment() as SocketState).deviceId === deviceId) this.#refuse(ws, CloseCode.Unauthorized, "this device was revoked");
    }
    return true;
  }

  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    // Frames already in flight when we refused the socket: nothing more to say to it.
    if (ws.readyState !== WebSocket.OPEN) return;
    const state = ws.deserializeAttachment() as SocketState;
    if (typeof message === "string") return this.#refuse(ws, CloseCode.UnsupportedData, "binary ws-common frames only");
    if (message.byteLength > MAX_FRAME_BYTES) {
      return this.#refuse(ws, CloseCode.FrameTooLarge, `frame of ${message.byteLength} bytes is over ${MAX_FRAME_BYTES}`);
    }
    let msg: Msg;
    try {
      msg = decodeDeviceFrame(new Uint8Array(message));
    } catch (error) {
      return this.#refuse(ws, CloseCode.ProtocolError, error instanceof FrameError ? error.message : "malformed frame");
    }
    try {
      switch (msg._tag) {
        case tags.AnnouncePresence:
          return this.#onPresence(ws, state, msg);
        case tags.Changes:
          return this.#onChanges(ws, state, msg);
        case tags.RejectChanges:
          return this.#onReject(ws, state, msg);
        case tags.Ping:
          // Heartbeat, and an acknowledgement: this socket's earlier frames are handled and their
          // writes committed before this reply leaves (the output gate waits for storage).
          return ws.send(encode({ _tag: tags.Pong }));
        default:
          return;
      }
    } catch (error) {
      // A bug must not take the other devices down with it; this socket reconnects.
      console.error("UserLog: failed handling a message", error);
      if (ws.readyState === WebSocket.OPEN) ws.close(1011, "internal error");
    }
  }

  override webSocketClose(ws: WebSocket, code: number): void {
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, "closing");
    } catch {
      // already closed
    }
  }

  override webSocketError(): void {
    // The runtime closes the socket; nothing is pending per socket outside its attachment.
  }

  #refuse(ws: WebSocket, code: number, reason: string): void {
    // Err frames are ignored by the stock client but show the reason in devtools and in our client.
    try {
      ws.send(encode({ _tag: tags.Err, _reqid: 0, err: reason }));
    } catch {
      // the socket may already be gone
    }
    ws.close(code, reasonText(reason));
  }

  #onPresence(ws: WebSocket, state: SocketState, msg: AnnouncePresence): void {
    if (state.site) return this.#refuse(ws, CloseCode.ProtocolError, "presence was already announced on this socket");
    if (sameBytes(msg.sender, this.#store.serverSiteId)) return this.#refuse(ws, CloseCode.ProtocolError, "device site id collides with the server's");
    if (msg.schemaName !== SCHEMA_NAME || msg.schemaVersion !== BigInt(SCHEMA_VERSION)) {
      return this.#refuse(
        ws,
        CloseCode.SchemaMismatch,
        `schema mismatch: server has ${SCHEMA_NAME} v${SCHEMA_VERSION}, device has ${msg.schemaName.slice(0, 32)} v${msg.schemaVersion}; update the app`,
      );
    }
    // Where the device says it is in this server's log; the minimum if it lists us twice.
    let cursor: number | undefined;
    for (const [site, [version]] of msg.lastSeens) {
      if (sameBytes(site, this.#store.serverSiteId)) cursor = Math.min(cursor ?? Infinity, Number(version));
    }
    // Ahead of our head means it saw a log we no longer have: resend everything rather than skip.
    if (cursor === undefined || cursor > this.#store.head || cursor < 0) cursor = 0;

    this.#store.touchPeer(msg.sender, state.deviceId);
    Object.assign(state, { site: toHex(msg.sender), cursor, resetPending: false, rejectAt: -1, rejects: 0, stalled: false });
    ws.serializeAttachment(state);
    this.#startStreaming(ws, this.#store.peerCursor(msg.sender));
    this.#flush(ws, state);
  }

  /**
   * Asks the device to (re)send everything after what is stored. `since` is [v, s + 1] once the
   * change (v, s) is stored: the stock adapter reads only v and re-sends group v (deduplicated
   * here); CoBrain's adapter resumes a transaction that was split across frames at seq s + 1.
   */
  #startStreaming(ws: WebSocket, stored: PeerCursor): void {
    const since: [bigint, number] = stored.version === 0 ? [0n, 0] : [BigInt(stored.version), stored.seq + 1];
    ws.send(encode({ _tag: tags.StartStreaming, since, excludeSites: [this.#store.serverSiteId], localOnly: false }));
  }

  #onChanges(ws: WebSocket, state: SocketState, msg: Changes): void {
    if (!state.site) return; // before presence: StartStreaming will make the device resend
    if (toHex(msg.sender) !== state.site) return this.#refuse(ws, CloseCode.ProtocolError, "sender differs from the announced site id");
    const known = this.#store.peerCursor(msg.sender);
    if (msg.since[0] > BigInt(known.version)) {
      // A gap: we lost or dropped an earlier frame. Drop this one and rewind the device once.
      if (!state.resetPending) {
        state.resetPending = true;
        ws.serializeAttachment(state);
        this.#startStreaming(ws, known);
      }
      return;
    }
    for (const change of msg.changes) {
      const reason = invalidReason(change);
      if (reason) return this.#refuse(ws, CloseCode.InvalidChange, `invalid change refused, nothing stored: ${reason}`);
    }
    // Already stored: everything up to (version, seq) of the cursor.
    const isNew = (c: Change) => c[5] > BigInt(known.version) || (c[5] === BigInt(known.version) && c[8] > known.seq);
    const fresh: Change[] = msg.changes.filter(isNew);
    if (state.resetPending) {
      state.resetPending = false;
      ws.serializeAttachment(state);
    }
    if (fresh.length === 0) return;
    let cursor = known;
    for (const c of fresh) {
      const next = { version: Number(c[5]), seq: c[8] };
      if (next.version > cursor.version || (next.version === cursor.version && next.seq > cursor.seq)) cursor = next;
    }
    this.ctx.storage.transactionSync(() => this.#store.append(msg.sender, fresh, cursor));
    for (const other of this.ctx.getWebSockets()) {
      const otherState = other.deserializeAttachment() as SocketState;
      if (!otherState.site || otherState.stalled || other.readyState !== WebSocket.OPEN) continue;
      try {
        this.#flush(other, otherState);
      } catch (error) {
        // One closing socket must not fail the push that is already stored for everyone.
        console.warn("UserLog: could not relay to a socket", error);
      }
    }
  }

  #onReject(ws: WebSocket, state: SocketState, msg: RejectChanges): void {
    if (!state.site) return;
    const since = Number(msg.since[0]);
    state.rejects = since === state.rejectAt ? state.rejects + 1 : 1;
    state.rejectAt = since;
    state.cursor = Math.max(0, Math.min(since, this.#store.head));
    state.stalled = state.rejects > MAX_REJECTS_AT_CURSOR;
    ws.serializeAttachment(state);
    if (state.stalled) {
      console.warn(`UserLog: device ${state.deviceId} keeps rejecting at ${since}; not resending until it reconnects`);
      return;
    }
    this.#flush(ws, state);
  }

  /** Sends the socket every entry after its cursor that it did not write itself, in bounded frames. */
  #flush(ws: WebSocket, state: SocketState): void {
    const site = fromHex(state.site!);
    const start = state.cursor;
    for (;;) {
      const entries = this.#store.readSince(state.cursor, site, BACKLOG_PAGE_ROWS);
      if (entries.length === 0) break;
      let frame: LogEntry[] = [];
      let size = 0;
      for (const entry of entries) {
        const entrySize = 64 + entry.table.length + entry.pk.length + entry.cid.length + wireSizeOf(entry.value);
        if (frame.length > 0 && size + entrySize > OUTBOUND_FRAME_TARGET_BYTES) {
          this.#sendChanges(ws, state, frame);
          frame = [];
          size = 0;
        }
        frame.push(entry);
        size += entrySize;
      }
      this.#sendChanges(ws, state, frame);
      if (entries.length < BACKLOG_PAGE_ROWS) break;
    }
    if (state.cursor !== start) ws.serializeAttachment(state);
  }

  #sendChanges(ws: WebSocket, state: SocketState, entries: LogEntry[]): void {
    // db_version := seq, strictly ascending; site_id null (the device attributes it to us).
    const changes: Change[] = entries.map((e) => [e.table, e.pk, e.cid, e.value, BigInt(e.colVersion), BigInt(e.seq), null, BigInt(e.cl), 0]);
    ws.send(encode({ _tag: tags.Changes, sender: this.#store.serverSiteId, since: [BigInt(state.cursor), 0], changes }));
    state.cursor = entries[entries.length - 1]!.seq;
  }
}
