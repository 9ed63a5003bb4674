/**
 * UserLog: one Durable Object per user, holding that user's authoritative change log and relaying
 * changes between the user's devices over hibernatable WebSockets.
 *
 * This file is the Durable Object shell: the WebSocket upgrade, refusing frames that are not
 * well-formed ws-common, dispatching the rest to the relay (relay.ts, which holds the sync rules),
 * the device registry's RPC methods and the hibernation hooks.
 *
 * Hibernation-first: everything a socket needs survives eviction in its attachment; there are no
 * timers. Every message is handled synchronously (SQLite storage API, no await), so each socket's
 * messages are processed strictly in order and a store + cursor advance is one transaction.
 */
import { DurableObject } from "cloudflare:workers";
import { tags, type Msg } from "@vlcn.io/ws-common";
import type { ApiAccountKey, ApiDeviceKey, ApiHandshakes, ApiKeyRotation, ApiLogStats } from "../shared/api";
import { BACKLOG_ACK_WAIT_MS, MAX_FRAME_BYTES, MAX_SOCKETS_PER_USER, MAX_SYNC_HANDSHAKES_PER_MINUTE } from "../shared/constants";
import { CloseCode } from "../shared/syncProtocol";
import { AccountKeyStore, type AccountKeyRecord } from "./accountKey";
import { AccountKeys } from "./accountKeys";
import { ChangeLogStore } from "./changeLogStore";
import { rotateAccountKey } from "./keyRotation";
import { DeviceRegistry, type DeviceRecord } from "./deviceRegistry";
import { HandshakeCounter } from "./handshakeCounter";
import { decodeDeviceFrame, encode, FrameError } from "./frames";
import { Relay } from "./relay";
import { fromHex, toHex } from "./relayBacklog";
import { SnapshotStore } from "./snapshotStore";
import { receiveSnapshot, type SnapshotReceived } from "./snapshotUpload";
import { connectedState, refuse, type RelaySocket, type SocketState } from "./relaySocket";

/** Headers the Worker sets after verifying the token; the DO is not reachable otherwise. */
export const USER_HEADER = "X-CoBrain-User";
export const DEVICE_HEADER = "X-CoBrain-Device";
/** The key id the device writes with, from `/sync?key=`; absent for devices without encryption. */
export const KEY_HEADER = "X-CoBrain-Key";

export interface Env {
  USER_LOG: DurableObjectNamespace<UserLog>;
  LINK_CODES: DurableObjectNamespace<import("./linkCodes").LinkCodes>;
  AUTH_SECRET: string;
  ASSETS: Fetcher;
}

/** A hibernatable WebSocket as the relay sees it: its state lives in the attachment. */
class HibernatableSocket implements RelaySocket {
  constructor(readonly ws: WebSocket) {}

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(frame: Uint8Array): void {
    this.ws.send(frame);
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }

  readState(): SocketState {
    // Sockets accepted by an older version lack the newer fields: their defaults fill them in.
    const stored = this.ws.deserializeAttachment() as SocketState;
    return { ...connectedState(stored.userId, stored.deviceId), ...stored };
  }

  writeState(state: SocketState): void {
    this.ws.serializeAttachment(state);
  }
}

export class UserLog extends DurableObject<Env> {
  readonly #store: ChangeLogStore;
  readonly #devices: DeviceRegistry;
  readonly #relay: Relay;
  readonly #handshakes: HandshakeCounter;
  readonly #accountKey: AccountKeyStore;
  readonly #keys: AccountKeys;
  readonly #snapshots: SnapshotStore;
  /** An alarm is set for sockets waiting on an acknowledgement (lost on eviction: then set again). */
  #alarmSet = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#store = new ChangeLogStore(ctx.storage);
    this.#devices = new DeviceRegistry(ctx.storage.sql);
    this.#accountKey = new AccountKeyStore(ctx.storage.sql);
    this.#handshakes = new HandshakeCounter(ctx.storage.sql);
    this.#keys = new AccountKeys(ctx.storage.sql, this.#accountKey);
    this.#snapshots = new SnapshotStore(ctx.storage);
    this.#relay = new Relay(this.#store, () => ctx.getWebSockets().map((ws) => new HibernatableSocket(ws)), {
      onWaiting: () => this.#wakeForPages(),
      // Read at each push: the key is registered once and never removed.
      encrypted: () => this.#accountKey.current() !== undefined,
    });
  }

  /** An alarm rather than a timer: it survives hibernation and eviction. */
  #wakeForPages(): void {
    if (this.#alarmSet) return;
    this.#alarmSet = true;
    void this.ctx.storage.setAlarm(Date.now() + BACKLOG_ACK_WAIT_MS);
  }

  /** Pages for sockets that did not acknowledge the last one in time (clients that never ping). */
  override alarm(): void {
    this.#alarmSet = false;
    if (this.#relay.serveOverdue()) this.#wakeForPages();
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
    // The stock client refuses the connection unless its subprotocol is echoed exactly.
    const upgraded = new Response(null, { status: 101, webSocket: client, headers: { "Sec-WebSocket-Protocol": protocol } });
    // Limits are refused on an open socket, with a close code: a browser cannot read an HTTP
    // refusal of a WebSocket upgrade. Such a socket is not hibernatable and not counted.
    const refusal = this.#handshakeRefusal(deviceId) ?? this.#keyRefusal(request.headers.get(KEY_HEADER) ?? "");
    if (refusal) {
      server.accept();
      refuse(new HibernatableSocket(server), refusal.code, refusal.reason);
      return upgraded;
    }
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment(connectedState(userId, deviceId));
    return upgraded;
  }

  /** Counts the handshake; says why it is refused if the device or the user is over a limit. */
  #handshakeRefusal(deviceId: string): { code: number; reason: string } | undefined {
    if (!this.#handshakes.count(deviceId)) {
      return { code: CloseCode.TooManyReconnects, reason: `too many reconnects (over ${MAX_SYNC_HANDSHAKES_PER_MINUTE} a minute); wait a minute, then retry` };
    }
    if (this.#openSockets() >= MAX_SOCKETS_PER_USER) {
      return { code: CloseCode.TooManyConnections, reason: `too many open connections (${MAX_SOCKETS_PER_USER}) for this account; close another tab or device` };
    }
    return undefined;
  }

  /**
   * A device must write with the account's current key: one without a key on an account that has
   * one runs a version from before encryption (told to update, with the code it knows), one with
   * another key holds an old or wrong key. A device offering a key on an account without one
   * registers it, as `/api/keys/init` would.
   */
  #keyRefusal(offered: string): { code: number; reason: string } | undefined {
    let account = this.#accountKey.current();
    if (!account && offered) {
      const init = this.initAccountKey({ keyId: offered, generation: 0 });
      // A plaintext log moves to encryption only through /api/keys/init, which checks the device read it.
      if ("catchUpTo" in init) return { code: CloseCode.ServerError, reason: "this account's key is not registered yet; retrying" };
      account = init.current;
    }
    if (!account) return undefined;
    if (!offered) return { code: CloseCode.SchemaMismatch, reason: "these notes are end-to-end encrypted now: update the app" };
    if (offered !== account.keyId) return { code: CloseCode.WrongAccountKey, reason: "this device has an old or wrong key for these notes" };
    return undefined;
  }

  /** The account's current key id and generation, if a device registered one. */
  accountKey(): AccountKeyRecord | undefined {
    return this.#accountKey.current();
  }

  /**
   * Registers the account's first key id, unless one is registered already (compare-and-set).
   * An account whose log holds plaintext (written before encryption) moves to encryption here:
   * only once the registering device has received every entry other devices pushed (`seen`, its
   * cursor in this log; else `catchUpTo` says how far), so nothing only the server holds is lost.
   * Then, in one transaction, the plaintext log is dropped and the key id set; every socket is
   * closed to reconnect: upgraded devices come back with the key (and resend what they hold, the
   * server's site id being new), older versions are refused and told to update the app.
   */
  initAccountKey(record: AccountKeyRecord, from?: { deviceId: string; seen: number }): { current: AccountKeyRecord; created: boolean } | { catchUpTo: number } {
    const existing = this.#accountKey.current();
    if (existing) return { current: existing, created: false };
    if (this.#store.stats().rows === 0) return this.#accountKey.init(record);
    const catchUpTo = this.#store.lastEntryFromOthers(from?.deviceId ?? "");
    if (!from || from.seen < catchUpTo) return { catchUpTo };
    const result = this.#store.transaction(() => {
      this.#store.replaceForEncryption();
      this.#snapshots.delete(); // none is ever stored without a key; whatever was made from the old log goes with it
      return this.#accountKey.init(record);
    });
    for (const ws of this.ctx.getWebSockets()) {
      refuse(new HibernatableSocket(ws), CloseCode.ServerError, "these notes are moving to end-to-end encryption; reconnect");
    }
    return result;
  }

  /** For a device before it registers the account's key: where a plaintext log it must read first ends. */
  plaintextLog(deviceId: string): { serverSite: string; mustSee: number } | null {
    if (this.#accountKey.current() || this.#store.stats().rows === 0) return null;
    return { serverSite: [...this.#store.serverSiteId].map((b) => b.toString(16).padStart(2, "0")).join(""), mustSee: this.#store.lastEntryFromOthers(deviceId) };
  }

  #openSockets(): number {
    return this.ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN).length;
  }

  /** Each device's sync handshakes, as counted for the reconnect bound. */
  handshakes(): ApiHandshakes {
    return { limitPerMinute: MAX_SYNC_HANDSHAKES_PER_MINUTE, devices: this.#handshakes.list() };
  }

  /** How big the log is and how far the stored snapshot covers it (a device decides whether to make a new one). */
  stats(): ApiLogStats {
    return { ...this.#store.stats(), snapshotSeq: this.#snapshots.current()?.seq ?? null, serverSite: toHex(this.#store.serverSiteId) };
  }

  /** Removes the stored snapshot; true if there was one. */
  deleteSnapshot(): boolean {
    const had = this.#snapshots.current() !== undefined;
    this.#snapshots.delete();
    return had;
  }

  /**
   * Stores `body` (a snapshot sealed by `deviceId`, covering the log up to `seq`) as the account's
   * snapshot, replacing the stored one in one transaction, or says why not (worker/snapshotUpload.ts).
   */
  async putSnapshot(
    deviceId: string,
    { seq, schemaVersion, site, until }: { seq: number; schemaVersion: number; site?: string; until?: number },
    body: ReadableStream<Uint8Array>,
  ): Promise<SnapshotReceived> {
    const log = { head: () => this.#store.head, accountKey: () => this.#accountKey.current(), snapshots: this.#snapshots };
    let covered = seq;
    if (site !== undefined && until !== undefined) {
      const extended = until <= this.#store.head ? this.#store.snapshotCoverage(deviceId, fromHex(site), seq, until) : undefined;
      if (extended === undefined) {
        const error = until > this.#store.head ? `the snapshot says it was made at ${until}, but the server's log ends at ${this.#store.head}` : "that site id is not this device's";
        await body.cancel(error).catch(() => undefined);
        return { ok: false, status: 400, error };
      }
      covered = extended;
    }
    return receiveSnapshot(log, { seq: covered, schemaVersion, device: deviceId }, body);
  }

  /** The stored snapshot, its bytes streamed chunk by chunk; null when there is none. */
  snapshot(): { seq: number; schemaVersion: number; size: number; body: ReadableStream<Uint8Array> } | null {
    const meta = this.#snapshots.current();
    return meta ? { seq: meta.seq, schemaVersion: meta.schemaVersion, size: meta.size, body: this.#snapshots.read(meta) } : null;
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

  /** A first refresh credential for a device signed in with a bare access token; never a second. */
  async enrollRefresh(deviceId: string): Promise<string | undefined> {
    if (this.#devices.isRevoked(deviceId) || this.#devices.hasRefresh(deviceId)) return undefined;
    return this.#devices.issueRefresh(deviceId);
  }

  /** A new device (from a link code): registered, with its first refresh credential. */
  async registerLinkedDevice(deviceId: string, details: { name?: string; platform?: string }): Promise<string> {
    this.#devices.touch(deviceId, details);
    return this.#devices.issueRefresh(deviceId);
  }

  /**
   * Spends a refresh credential for the next one. One spent before coming back means a copy
   * exists: the device is revoked at once and the user's other devices are told.
   */
  async rotateRefresh(deviceId: string, presented: string): Promise<{ ok: true; secret: string } | { ok: false; error: string; revoked: boolean }> {
    const rotated = await this.#devices.rotateRefresh(deviceId, presented);
    if (rotated.ok) {
      this.#devices.touch(deviceId);
      return rotated;
    }
    if (!rotated.reused) return { ok: false, error: "this sign-in is not valid (the device may have been revoked); sign in again", revoked: false };
    const name = this.#devices.nameOf(deviceId);
    this.revokeDevice(deviceId);
    this.#devices.recordAlert(
      deviceId,
      `The sign-in of device "${name}" was used twice, so that device was signed out. If you did not copy it, someone else may have; link the device again and check your devices.`,
    );
    return { ok: false, error: "this sign-in was already used once, so this device was signed out for safety; sign in again", revoked: true };
  }

  /** The account key as the calling device needs it (issue 14; worker/accountKeys.ts). */
  accountKeyFor(deviceId: string): Omit<ApiAccountKey, "plaintextLog"> {
    return this.#keys.describe(deviceId);
  }

  /** The idKey wrapped under the current key, set once by the device that made the key. */
  storeIdKey(keyId: string, wrappedIdKey: string): boolean {
    return this.#keys.storeIdKey(keyId, wrappedIdKey);
  }

  registerDeviceKey(deviceId: string, publicKey: string): void {
    this.#keys.registerDevice(deviceId, publicKey);
  }

  deviceKeys(): ApiDeviceKey[] {
    return this.#keys.deviceKeys();
  }

  /**
   * A device replaces the log with the live state under a new key generation (after a revoke),
   * in one transaction with the compare-and-set; then every open socket is told to move to it.
   */
  rotateKey(deviceId: string, rotation: ApiKeyRotation): { ok: true; generation: number; appended: number } | { ok: false; status: 400 | 409; error: string } {
    const result = rotateAccountKey(this.#store, this.#keys, this.#snapshots, deviceId, rotation);
    if (!result.ok) return result;
    for (const ws of this.ctx.getWebSockets()) refuse(new HibernatableSocket(ws), CloseCode.KeyRotated, "the account key was rotated; fetch the new key and reconnect");
    return { ok: true, generation: rotation.generation, appended: result.appended };
  }

  securityAlerts() {
    return this.#devices.alerts();
  }

  /** Refuses the device's token from now on and closes its open sockets at once. */
  revokeDevice(deviceId: string): boolean {
    if (!this.#devices.revoke(deviceId)) return false;
    for (const ws of this.ctx.getWebSockets()) {
      const socket = new HibernatableSocket(ws);
      if (socket.readState().deviceId === deviceId) refuse(socket, CloseCode.Unauthorized, "this device was revoked");
    }
    return true;
  }

  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    // Frames already in flight when we refused the socket: nothing more to say to it.
    if (ws.readyState !== WebSocket.OPEN) return;
    const socket = new HibernatableSocket(ws);
    if (typeof message === "string") return refuse(socket, CloseCode.UnsupportedData, "binary ws-common frames only");
    if (message.byteLength > MAX_FRAME_BYTES) {
      return refuse(socket, CloseCode.FrameTooLarge, `frame of ${message.byteLength} bytes is over ${MAX_FRAME_BYTES}`);
    }
    let msg: Msg;
    try {
      msg = decodeDeviceFrame(new Uint8Array(message));
    } catch (error) {
      return refuse(socket, CloseCode.ProtocolError, error instanceof FrameError ? error.message : "malformed frame");
    }
    try {
      switch (msg._tag) {
        case tags.AnnouncePresence:
          return this.#relay.presence(socket, msg);
        case tags.Changes:
          return this.#relay.changes(socket, msg);
        case tags.RejectChanges:
          return this.#relay.reject(socket, msg);
        case tags.Ping:
          // Heartbeat, and an acknowledgement both ways: the device has what we sent before it
          // (so its next page goes out first), and this socket's earlier frames are handled and
          // their writes committed before the Pong leaves (the output gate waits for storage).
          this.#relay.acknowledged(socket);
          return ws.send(encode({ _tag: tags.Pong }));
        default:
          return;
      }
    } catch (error) {
      // A bug must not take the other devices down with it; this socket reconnects.
      console.error("UserLog: failed handling a message", error);
      if (ws.readyState === WebSocket.OPEN) ws.close(CloseCode.ServerError, "the server had a problem; nothing is lost, try again");
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
}
