/**
 * A scripted device for Worker tests: opens /sync through the real Worker, speaks raw ws-common
 * frames and records what the server sends back.
 */
import { env, exports } from "cloudflare:workers";
import { decode, encode, tags, type Change, type Msg } from "@vlcn.io/ws-common";
import { SCHEMA_NAME } from "../../shared/constants";
import { ENVELOPE_HEADER_BYTES, ENVELOPE_TAG_BYTES, ENVELOPE_VERSION } from "../../shared/envelope";
import { SCHEMA_VERSION } from "../../shared/migrations";
import { encodeSyncProtocol } from "../../shared/syncProtocol";
import { mintToken } from "../../worker/auth";

export const token = (userId: string, deviceId = "dev1") =>
  mintToken(env.AUTH_SECRET, { userId, deviceId });

export const upgrade = (protocol?: string, key?: string) =>
  exports.default.fetch(`http://cobrain.test/sync${key ? `?key=${key}` : ""}`, {
    headers: { Upgrade: "websocket", ...(protocol === undefined ? {} : { "Sec-WebSocket-Protocol": protocol }) },
  });

/** cr-sqlite's packing of a one-column TEXT primary key. */
export function textPk(id: string): Uint8Array {
  const bytes = new TextEncoder().encode(id);
  return new Uint8Array([1, (1 << 3) | 3, bytes.length, ...bytes]);
}

export const noteChange = (id: string, cid: string, value: unknown, { colVersion = 1n, dbVersion = 1n, cl = 1n } = {}): Change =>
  [ "notes", textPk(id), cid, value, colVersion, dbVersion, null, cl, 0 ] as Change;

/** A value of the right envelope shape for `generation`, not really sealed (the server checks only the shape). */
export function envelopeShaped(generation: number, text: string): Uint8Array {
  const body = new TextEncoder().encode(text);
  const out = new Uint8Array(ENVELOPE_HEADER_BYTES + ENVELOPE_TAG_BYTES + 1 + body.length);
  out[0] = ENVELOPE_VERSION;
  new DataView(out.buffer).setUint32(1, generation);
  out.set(body, ENVELOPE_HEADER_BYTES + 1);
  return out;
}

export class UpgradeError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`upgrade failed: ${status} ${body}`);
  }
}

export interface Closed {
  code: number;
  reason: string;
}

export class Device {
  readonly site = crypto.getRandomValues(new Uint8Array(16));
  readonly received: Msg[] = [];
  /** Byte length of each received frame, in the same order as `received`. */
  readonly receivedBytes: number[] = [];
  /** Called with each message as it arrives (after it is recorded). */
  onMessage: (msg: Msg) => void = () => {};
  readonly closed: Promise<Closed>;
  #waiters: Array<() => void> = [];
  #ws!: WebSocket;

  private constructor() {
    this.closed = new Promise((resolve) => (this.#onClose = resolve));
  }

  #onClose!: (closed: Closed) => void;

  /** Connects `userId`'s device; `room` defaults to the user. Throws unless the upgrade succeeds. */
  static async connect(userId: string, { deviceId = "dev1", room = userId, site, key }: { deviceId?: string; room?: string; site?: Uint8Array; key?: string } = {}) {
    const protocol = encodeSyncProtocol({ auth: await token(userId, deviceId), room });
    const response = await upgrade(protocol, key);
    if (response.status !== 101 || !response.webSocket) throw new UpgradeError(response.status, await response.text());
    const device = new Device();
    if (site) device.site.set(site);
    device.#attach(response.webSocket);
    return Object.assign(device, { protocolEcho: response.headers.get("Sec-WebSocket-Protocol"), protocol });
  }

  #attach(ws: WebSocket) {
    this.#ws = ws;
    ws.binaryType = "arraybuffer"; // before accept(), or frames arrive as Blob
    ws.accept();
    ws.addEventListener("message", (event) => {
      const msg = decode(new Uint8Array(event.data as ArrayBuffer));
      this.received.push(msg);
      this.receivedBytes.push((event.data as ArrayBuffer).byteLength);
      this.onMessage(msg);
      this.#waiters.splice(0).forEach((wake) => wake());
    });
    ws.addEventListener("close", (event) => {
      this.#onClose({ code: event.code, reason: event.reason });
      this.#waiters.splice(0).forEach((wake) => wake());
    });
  }

  sendRaw(data: ArrayBuffer | Uint8Array | string) {
    this.#ws.send(data);
  }

  send(msg: Msg) {
    this.#ws.send(encode(msg));
  }

  announce(lastSeens: Array<[Uint8Array, bigint]> = [], schema: { name?: string; version?: bigint } = {}) {
    this.send({
      _tag: tags.AnnouncePresence,
      sender: this.site,
      lastSeens: lastSeens.map(([site, v]) => [site, [v, 0]]),
      schemaName: schema.name ?? SCHEMA_NAME,
      schemaVersion: schema.version ?? BigInt(SCHEMA_VERSION),
    });
  }

  /** A heartbeat, which also acknowledges what the server sent before its Pong. */
  ping() {
    this.send({ _tag: tags.Ping });
  }

  push(changes: Change[], since = 0n) {
    this.send({ _tag: tags.Changes, sender: this.site, since: [since, 0], changes });
  }

  /** Waits until `count` messages matching `tag` have arrived (or fails after a while). */
  async waitFor(tag: number, count = 1, timeoutMs = 3_000): Promise<Msg[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const matching = this.received.filter((m) => m._tag === tag);
      if (matching.length >= count) return matching;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} message(s) of type ${tag}; got ${JSON.stringify(this.received.map((m) => m._tag))}`);
      await new Promise<void>((wake) => {
        this.#waiters.push(wake);
        setTimeout(wake, 50);
      });
    }
  }

  /** All changes received so far, flattened in arrival order. */
  changes(): Change[] {
    return this.received.filter((m) => m._tag === tags.Changes).flatMap((m) => [...(m as { changes: readonly Change[] }).changes]);
  }

  close() {
    this.#ws.close(1000, "bye");
  }
}


export const settle = (ms = 100) => new Promise((r) => setTimeout(r, ms));
