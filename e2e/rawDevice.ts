/** A device speaking raw ws-common frames from Node, for load tests and server benchmarks (no local database). */
import { decode, encode, tags, type Change, type Msg } from "@vlcn.io/ws-common";
import { SCHEMA_NAME } from "../shared/constants.ts";
import { SCHEMA_VERSION } from "../shared/migrations.ts";
import { encodeSyncProtocol } from "../shared/syncProtocol.ts";
import { mintToken } from "../worker/auth.ts";

export function textPk(id: string): Uint8Array {
  const bytes = new TextEncoder().encode(id);
  return new Uint8Array([1, (1 << 3) | 3, bytes.length, ...bytes]);
}

/** ws-common's encoder types its bytes loosely; WebSocket.send wants an ArrayBuffer-backed view. */
const frame = (msg: Msg) => encode(msg) as Uint8Array<ArrayBuffer>;

export class RawDevice {
  readonly site = crypto.getRandomValues(new Uint8Array(16));
  onMessage: (msg: Msg) => void = () => {};
  /** Size of the frame whose message `onMessage` is handling. */
  frameBytes = 0;
  #ws!: WebSocket;

  /**
   * `ackChanges` (default true): acknowledge each Changes frame with a Ping, as the app's
   * transport does after applying it; the server sends one page of its backlog per acknowledgement.
   */
  static async connect(baseUrl: string, secret: string, userId: string, deviceId: string, { ackChanges = true } = {}): Promise<RawDevice> {
    const device = new RawDevice();
    const token = await mintToken(secret, { userId, deviceId });
    const ws = new WebSocket(`${baseUrl.replace(/^http/, "ws")}/sync`, [encodeSyncProtocol({ auth: token, room: userId })]);
    ws.binaryType = "arraybuffer";
    ws.onmessage = (event) => {
      const data = event.data as ArrayBuffer;
      const msg = decode(new Uint8Array(data));
      device.frameBytes = data.byteLength;
      device.onMessage(msg);
      if (ackChanges && msg._tag === tags.Changes) device.ping();
    };
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error("connect failed"));
    });
    device.#ws = ws;
    const started = device.next(tags.StartStreaming);
    ws.send(frame({ _tag: tags.AnnouncePresence, sender: device.site, lastSeens: [], schemaName: SCHEMA_NAME, schemaVersion: BigInt(SCHEMA_VERSION) }));
    await started;
    return device;
  }

  next(tag: number): Promise<Msg> {
    return new Promise((resolve) => {
      const previous = this.onMessage;
      this.onMessage = (msg) => {
        if (msg._tag === tag) {
          this.onMessage = previous;
          resolve(msg);
        } else previous(msg);
      };
    });
  }

  ping(): void {
    this.#ws.send(frame({ _tag: tags.Ping }));
  }

  push(changes: Change[], since: bigint): void {
    this.#ws.send(frame({ _tag: tags.Changes, sender: this.site, since: [since, 0], changes }));
  }

  close(): void {
    this.#ws.close();
  }
}
