/**
 * CoBrain's WebSocket transport for the stock ws-client (its `Transport` interface), replacing
 * the stock one, which reconnects every 1–3 s forever, reuses one token, has no heartbeat and
 * throws on frames it does not expect. This one:
 * - reconnects with exponential back-off and jitter, at once when the browser comes back online;
 *   the back-off resets only once the server has acknowledged (a Pong), never merely because a
 *   socket opened, and connection attempts never exceed MAX_RECONNECTS_PER_MINUTE;
 * - tells refusals (a close code or HTTP status with a meaning, shared/syncRefusals.ts) apart
 *   from an unreachable server: refusals are reported with their code, and retried with their own
 *   back-off that only an acknowledged push resets;
 * - fetches a fresh token for every connection;
 * - stops on final refusals (bad token, another user's room, schema mismatch, invalid change)
 *   and reports the reason instead of looping; a refusal before the upgrade (HTTP 401/403, which
 *   a browser WebSocket cannot see) is told apart by asking `/api/me`;
 * - sends a Ping after each push, after each applied incoming batch and every
 *   HEARTBEAT_INTERVAL_MS: the Pong both proves the socket alive and acknowledges that the server
 *   has stored everything sent before it; the Ping after an applied batch tells the server to
 *   send the next page of its backlog;
 * - re-reads the device's cursors when it announces itself on each new socket.
 */
import { traceMark } from "../db-worker/trace";
import type { Transport } from "@vlcn.io/ws-client";
import { decode, encode, tags, type AnnouncePresence, type Changes, type Msg, type RejectChanges, type StartStreaming } from "@vlcn.io/ws-common";
import {
  HEARTBEAT_INTERVAL_MS,
  HEARTBEAT_TIMEOUT_MS,
  MAX_RECONNECTS_PER_MINUTE,
  RECONNECT_BASE_MS,
  RECONNECT_MAX_MS,
  SEND_BUFFER_DRAIN_POLL_MS,
  SEND_BUFFER_LIMIT_BYTES,
} from "../../../shared/constants";
import { CloseCode, encodeSyncProtocol, FINAL_CLOSE_CODES } from "../../../shared/syncProtocol";
import { closeCodeOfHttp, refusalOfClose } from "../../../shared/syncRefusals";
import type { TransportState } from "../../../shared/syncStatus";
import { serverApi } from "../api/serverApi";
import { browserNetwork, browserSocket, type NetworkSignal, type SocketFactory, type SyncSocket } from "./syncSocket";
import { errorMessage } from "../../../shared/errorMessage";
import type { KeyCheck } from "../crypto/accountKeyCheck";

export interface SyncTransportOptions {
  /** http(s) base URL of the sync server. */
  serverUrl: string;
  room: string;
  getToken(): Promise<string>;
  /** The device's current cursors, re-read for each new socket. */
  lastSeens(): Promise<AnnouncePresence["lastSeens"]>;
  onState(state: TransportState): void;
  /** The server accepted the device's presence and starts streaming (on every new socket). */
  onStreaming(): void;
  /**
   * The server has stored everything sent before the last Ping. Called after the incoming
   * batches received before the Pong have been applied.
   */
  onAck(): void;
  /** An incoming batch could not be applied (e.g. storage full). */
  onApplyError(error: unknown): void;
  /** A send refused for a full buffer (see `sendChanges`) can be tried again: the buffer has room. */
  onDrained?(): void;
  /**
   * Before each connection: the key id this device writes with (sent as `?key=`), or why it must
   * not sync (web/src/crypto/accountKeyCheck.ts). Throwing means "try again later". Without it the
   * device connects without a key (a server before encryption, or tests of the transport alone).
   */
  accountKey?(): Promise<KeyCheck>;
  /** Seams for tests; the browser's WebSocket, online signal and fetch by default. */
  socket?: SocketFactory;
  network?: NetworkSignal;
  fetch?: typeof fetch;
}

export class SyncTransport implements Transport {
  onChangesReceived: ((msg: Changes) => Promise<void>) | null = null;
  onStartStreaming: ((msg: StartStreaming) => Promise<void>) | null = null;
  onResetStream: ((msg: StartStreaming) => Promise<void>) | null = null;

  readonly #options: SyncTransportOptions;
  readonly #openSocket: SocketFactory;
  readonly #network: NetworkSignal;
  readonly #unwatchNetwork: () => void;
  #socket: SyncSocket | undefined;
  #onReady: (() => void) | undefined;
  #hadStartStream = false;
  #attempt = 0;
  /** Refusals in a row (a close with a refusal code); reset only when a push is acknowledged. */
  #refusals = 0;
  /** When recent connection attempts started, for MAX_RECONNECTS_PER_MINUTE. */
  #attemptTimes: number[] = [];
  #closed = false;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #drainWatch: ReturnType<typeof setInterval> | undefined;
  #lastFrameAt = 0;
  #lastErr = "";
  /**
   * Pings sent on the current socket and not yet answered, oldest first: whether each follows a
   * push (its Pong says the push is stored; a refused push never gets one).
   */
  #pingsOut: boolean[] = [];
  /** A connection attempt is under way (it awaits the token before a socket exists). */
  #connecting = false;
  /**
   * Incoming batches are applied one after another: if batch k fails, batch k+1 must not commit
   * and move the device's cursor past k (the stock stream would let it).
   */
  #applies: Promise<void> = Promise.resolve();
  /** Incoming batches received and not yet applied (or failed). */
  #appliesPending = 0;

  constructor(options: SyncTransportOptions) {
    this.#options = options;
    this.#openSocket = options.socket ?? browserSocket;
    this.#network = options.network ?? browserNetwork;
    this.#unwatchNetwork = this.#network.watch((online) => this.setOnline(online));
  }

  /** The browser says the network is gone or back (also forwarded from the page's window). */
  setOnline(online: boolean): void {
    if (online) this.#onOnline();
    else this.#onOffline();
  }

  start(onReady: () => void): void {
    this.#onReady = onReady;
    void this.#connect();
  }

  /** Sends the device's presence with freshly read cursors (the stock client reuses stale ones). */
  announcePresence(msg: AnnouncePresence): void {
    const socket = this.#socket;
    void this.#options.lastSeens().then(
      (lastSeens) => socket?.isOpen && socket.send(frame({ ...msg, lastSeens })),
      () => socket?.isOpen && socket.send(frame(msg)),
    );
  }

  sendChanges(msg: Changes): "reconnecting" | "buffer-full" | "sent" {
    const socket = this.#socket;
    if (!socket?.isOpen) return "reconnecting";
    if (socket.bufferedAmount > SEND_BUFFER_LIMIT_BYTES) {
      traceMark("send buffer full");
      this.#watchDrain(socket);
      return "buffer-full";
    }
    socket.send(frame(msg));
    this.#ping(socket, true); // its Pong acknowledges this push
    return "sent";
  }

  /** Tells `onDrained` once `socket`'s buffer is half empty; stops if the socket goes. */
  #watchDrain(socket: SyncSocket): void {
    if (this.#drainWatch !== undefined) return;
    this.#drainWatch = setInterval(() => {
      const gone = this.#socket !== socket || !socket.isOpen;
      if (!gone && socket.bufferedAmount > SEND_BUFFER_LIMIT_BYTES / 2) return;
      clearInterval(this.#drainWatch);
      this.#drainWatch = undefined;
      if (!gone) this.#options.onDrained?.();
    }, SEND_BUFFER_DRAIN_POLL_MS);
  }

  /**
   * True from a frame of changes' arrival until it is applied and its Ping is out: between the
   * apply's end and that Ping, nothing else would say the server's next page is on its way.
   */
  get receiving(): boolean {
    return this.#appliesPending > 0;
  }

  /** True while the server has not answered every Ping: something sent may not be stored yet. */
  get unacknowledged(): boolean {
    return this.#pingsOut.length > 0;
  }

  /** True while a push on this socket has no answer yet: changes of this device's may not be stored. */
  get pushUnacknowledged(): boolean {
    return this.#pingsOut.includes(true);
  }

  #ping(socket: SyncSocket, afterPush = false): void {
    this.#pingsOut.push(afterPush);
    traceMark("ping sent");
    socket.send(frame({ _tag: tags.Ping }));
  }

  rejectChanges(msg: RejectChanges): void {
    if (this.#socket?.isOpen) this.#socket.send(frame(msg));
  }

  close(): void {
    this.#closed = true;
    this.#unwatchNetwork();
    clearTimeout(this.#retryTimer);
    this.#stopHeartbeat();
    this.#socket?.close(1000, "sync stopped");
    this.#socket = undefined;
    this.#options.onState({ kind: "closed" });
  }

  async #connect(): Promise<void> {
    if (this.#closed || this.#connecting || this.#socket) return;
    if (!this.#network.online) return this.#onOffline();
    clearTimeout(this.#retryTimer);
    this.#options.onState({ kind: "connecting" });
    this.#connecting = true;
    let token: string;
    try {
      token = await this.#options.getToken();
    } catch (error) {
      return this.#fail(CloseCode.Unauthorized, error instanceof Error ? error.message : "no token");
    } finally {
      this.#connecting = false;
    }
    if (this.#closed || this.#socket) return;
    let keyId: string | undefined;
    if (this.#options.accountKey) {
      this.#connecting = true;
      let check: KeyCheck;
      try {
        check = await this.#options.accountKey();
      } catch (error) {
        return this.#retry(errorMessage(error));
      } finally {
        this.#connecting = false;
      }
      if (this.#closed || this.#socket) return;
      if (!check.ok) return this.#fail(check.code, check.reason);
      keyId = check.keyId;
    }
    const url = `${this.#options.serverUrl.replace(/^http/, "ws").replace(/\/$/, "")}/sync${keyId ? `?key=${keyId}` : ""}`;
    this.#attemptTimes.push(Date.now());
    let opened = false;
    let socket: SyncSocket | undefined;
    try {
      socket = this.#openSocket(url, encodeSyncProtocol({ auth: token, room: this.#options.room }), {
        open: () => {
          traceMark("socket opened");
          opened = true;
          this.#pingsOut = [];
          this.#lastErr = "";
          this.#lastFrameAt = Date.now();
          this.#startHeartbeat(socket!);
          this.#options.onState({ kind: "open" });
          this.#onReady?.();
        },
        message: (data) => {
          if (this.#socket === socket) this.#receive(data);
        },
        close: (code, reason) => {
          if (this.#socket !== socket) return;
          this.#socket = undefined;
          this.#stopHeartbeat();
          if (this.#closed) return;
          if (FINAL_CLOSE_CODES.has(code)) return this.#fail(code, reason || this.#lastErr || "refused by the server");
          if (refusalOfClose(code)) return this.#refused(code, reason || this.#lastErr);
          if (!opened) void this.#diagnose(token);
          else this.#retry(reason || "connection lost");
        },
      });
    } catch (error) {
      return this.#fail(CloseCode.ProtocolError, `cannot open ${url}: ${errorMessage(error)}`);
    }
    this.#socket = socket;
  }

  /** A connection that never opened: a refused token looks like a network error to a browser. */
  async #diagnose(token: string): Promise<void> {
    try {
      const api = serverApi(this.#options.serverUrl, { token: async () => token, fetch: this.#options.fetch });
      const response = await api.api.me.$get();
      // Refusals come from the bearer check, whose statuses Hono's route types do not list.
      const status: number = response.status;
      const code = closeCodeOfHttp(status);
      if (code !== undefined) {
        const body = (await response.json().catch(() => ({}))) as { error?: string };
        if (FINAL_CLOSE_CODES.has(code)) return this.#fail(code, body.error ?? "sign in again");
        return this.#refused(code, body.error ?? `the server answered ${status}`);
      }
      // The server is reachable, so this is no outage: a refusal without a known meaning.
      this.#refused(CloseCode.ServerError, response.ok ? "the server refused the sync connection" : `the server answered ${status}`);
    } catch {
      this.#retry(this.#network.online ? "the server cannot be reached" : "offline");
    }
  }

  #receive(data: unknown): void {
    this.#lastFrameAt = Date.now();
    if (!(data instanceof ArrayBuffer)) return; // only binary frames carry protocol messages
    traceMark("message arrived");
    let msg: Msg;
    try {
      msg = decode(new Uint8Array(data));
    } catch {
      return;
    }
    switch (msg._tag) {
      case tags.Changes: {
        traceMark("changes received");
        const handler = this.onChangesReceived;
        const socket = this.#socket;
        this.#appliesPending++;
        this.#applies = this.#applies
          .then(() => handler?.(msg))
          .then(
            // Applied: the Ping acknowledges it, and the server sends its next page of the
            // backlog (one page per acknowledgement) before the Pong.
            () => {
              if (socket?.isOpen && this.#socket === socket) this.#ping(socket);
            },
            (error: unknown) => this.#options.onApplyError(error),
          )
          .finally(() => this.#appliesPending--);
        return;
      }
      case tags.StartStreaming: {
        traceMark("streaming started");
        const handler = this.#hadStartStream ? this.onResetStream : this.onStartStreaming;
        this.#hadStartStream = true;
        // The server sends its backlog right after StartStreaming: this Pong marks its end. Sent
        // before streaming is reported, so a device about to receive it is never "synced" first.
        if (this.#socket?.isOpen) this.#ping(this.#socket);
        this.#options.onStreaming();
        void handler?.(msg);
        return;
      }
      case tags.Pong: {
        const answeredPush = this.#pingsOut.shift() ?? false;
        // The server answered: ordinary back-off starts over. Refusals start over only once a
        // push was acknowledged (a server that acks a Ping and then refuses every push must not
        // be hammered).
        this.#attempt = 0;
        if (answeredPush) this.#refusals = 0;
        // Reported only once the batches received before this Pong are applied: the
        // acknowledgement makes the values sent their cells' ancestors, and a batch received
        // earlier but applied later would merge against an ancestor one step too new.
        if (this.#appliesPending === 0) this.#options.onAck();
        else this.#applies = this.#applies.then(() => this.#options.onAck()).catch(() => undefined); // a throwing listener must not stop later applies
        return;
      }
      case tags.Err:
        this.#lastErr = msg.err;
        return;
    }
  }

  #retry(reason: string): void {
    if (this.#closed) return;
    const delay = this.#delay(this.#attempt++);
    this.#options.onState({ kind: "waiting", retryAt: Date.now() + delay, reason });
    this.#retryTimer = setTimeout(() => void this.#connect(), delay);
  }

  /** Refused with a meaning (full server, server error, too large…): retried, never "offline". */
  #refused(code: number, reason: string): void {
    if (this.#closed) return;
    const delay = this.#delay(this.#refusals++);
    this.#options.onState({ kind: "waiting", retryAt: Date.now() + delay, reason: reason || refusalOfClose(code)!.problem, code });
    this.#retryTimer = setTimeout(() => void this.#connect(), delay);
  }

  /**
   * Exponential back-off with jitter (devices do not return in lockstep), and never sooner than
   * MAX_RECONNECTS_PER_MINUTE allows: the attempt that many attempts ago must be a minute old.
   */
  #delay(attempt: number): number {
    const ceiling = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** attempt);
    const backOff = Math.round(ceiling * (0.5 + Math.random() / 2));
    const now = Date.now();
    this.#attemptTimes = this.#attemptTimes.filter((at) => now - at < 60_000);
    const window = this.#attemptTimes.length >= MAX_RECONNECTS_PER_MINUTE ? this.#attemptTimes[this.#attemptTimes.length - MAX_RECONNECTS_PER_MINUTE]! + 60_000 - now : 0;
    return Math.max(backOff, window);
  }

  #fail(code: number, reason: string): void {
    if (this.#closed) return; // a probe or token read that outlived close() must not speak after it
    this.#options.onState({ kind: "failed", code, reason });
  }

  #onOnline = () => {
    if (!this.#closed && !this.#socket && !this.#connecting) {
      this.#attempt = 0;
      void this.#connect();
    }
  };

  /** Offline: the socket is as good as dead; wait for "online" rather than retrying blindly. */
  #onOffline = () => {
    if (this.#closed) return;
    clearTimeout(this.#retryTimer);
    const socket = this.#socket;
    this.#socket = undefined;
    this.#stopHeartbeat();
    socket?.close(1000, "offline");
    this.#options.onState({ kind: "waiting", retryAt: Number.POSITIVE_INFINITY, reason: "offline" });
  };

  #startHeartbeat(socket: SyncSocket): void {
    this.#stopHeartbeat();
    this.#heartbeat = setInterval(() => {
      if (Date.now() - this.#lastFrameAt > HEARTBEAT_INTERVAL_MS + HEARTBEAT_TIMEOUT_MS) {
        // A dead connection may take minutes to report its close: let it go and reconnect now.
        this.#socket = undefined;
        this.#stopHeartbeat();
        socket.close(4000, "heartbeat timeout");
        this.#retry("no answer from the server");
        return;
      }
      if (socket.isOpen) this.#ping(socket);
    }, HEARTBEAT_INTERVAL_MS);
  }

  #stopHeartbeat(): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }
}

/** ws-common's encoder types its bytes loosely; WebSocket.send wants an ArrayBuffer-backed view. */
const frame = (msg: Msg) => encode(msg) as Uint8Array<ArrayBuffer>;
