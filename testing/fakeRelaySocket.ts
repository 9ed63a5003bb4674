/**
 * Test helpers for the relay and its store, free of workerd: a fake `RelaySocket` that records
 * frames (the real one, a hibernatable WebSocket, is exercised by userLog.test.ts) and builders
 * of changes as a device sends them.
 */
import { decode, encode, tags, type Change, type Changes, type Msg } from "@vlcn.io/ws-common";
import { SCHEMA_NAME } from "../shared/constants";
import { SCHEMA_VERSION } from "../shared/migrations";
import { connectedState, type RelaySocket, type SocketState } from "../worker/relaySocket";

/** cr-sqlite's packing of a one-column TEXT primary key. */
export function textPk(id: string): Uint8Array {
  const bytes = new TextEncoder().encode(id);
  return new Uint8Array([1, (1 << 3) | 3, bytes.length, ...bytes]);
}

export const noteChange = (id: string, cid: string, value: unknown, { colVersion = 1n, dbVersion = 1n, cl = 1n, seq = 0 } = {}): Change =>
  ["notes", textPk(id), cid, value, colVersion, dbVersion, null, cl, seq] as Change;

export class FakeSocket implements RelaySocket {
  readonly site = crypto.getRandomValues(new Uint8Array(16));
  /** Every frame sent to the device, decoded, in order. */
  readonly received: Msg[] = [];
  /** Encoded sizes of the frames, in the same order. */
  readonly frameBytes: number[] = [];
  closed: { code: number; reason: string } | undefined;
  /** Makes send throw, as a socket the runtime is tearing down does. */
  failSends = false;
  // Kept serialised, as the attachment is: the relay must write back what it changes.
  #attachment: string;

  constructor(deviceId = "dev", userId = "user") {
    this.#attachment = JSON.stringify(connectedState(userId, deviceId));
  }

  get isOpen(): boolean {
    return this.closed === undefined;
  }

  send(frame: Uint8Array): void {
    if (this.failSends) throw new Error("socket is closing");
    if (!this.isOpen) throw new Error("send on a closed socket");
    this.received.push(decode(frame));
    this.frameBytes.push(frame.byteLength);
  }

  close(code: number, reason: string): void {
    this.closed = { code, reason };
  }

  readState(): SocketState {
    return JSON.parse(this.#attachment) as SocketState;
  }

  writeState(state: SocketState): void {
    this.#attachment = JSON.stringify(state);
  }

  /** The frames of one type, in order. */
  of<T extends Msg>(tag: number): T[] {
    return this.received.filter((m) => m._tag === tag) as T[];
  }

  /** Every change received, flattened in arrival order. */
  changes(): Change[] {
    return this.of<Changes>(tags.Changes).flatMap((m) => [...m.changes]);
  }

  // What a device sends, passed through the codec as on the wire.
  presence(lastSeens: Array<[Uint8Array, bigint]> = [], schema: { name?: string; version?: bigint } = {}) {
    return wire({
      _tag: tags.AnnouncePresence,
      sender: this.site,
      lastSeens: lastSeens.map(([site, v]) => [site, [v, 0]] as [Uint8Array, [bigint, number]]),
      schemaName: schema.name ?? SCHEMA_NAME,
      schemaVersion: schema.version ?? BigInt(SCHEMA_VERSION),
    });
  }

  push(changes: Change[], since = 0n) {
    return wire({ _tag: tags.Changes, sender: this.site, since: [since, 0], changes });
  }

  rejection(since: bigint) {
    return wire({ _tag: tags.RejectChanges, whose: new Uint8Array(16), since: [since, 0] });
  }
}

/** Round-trips a message through ws-common's codec, so tests see exactly what decoding yields. */
function wire<T extends Msg>(msg: T): T {
  return decode(encode(msg)) as T;
}
