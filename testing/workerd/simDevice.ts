/**
 * A simulated device for convergence tests inside workerd: a real cr-sqlite replica, CoBrain's
 * SyncDb adapter and the stock ws-client streams, over a transport that injects faults:
 * duplicated and held-back frames in both directions, and dropped connections.
 */
import { exports } from "cloudflare:workers";
import type { Transport } from "@vlcn.io/ws-client";
import { decode, encode, tags, type AnnouncePresence, type Changes, type Msg, type RejectChanges, type StartStreaming } from "@vlcn.io/ws-common";
import { encodeSyncProtocol } from "../../shared/syncProtocol";
import type { SqlParam, SqliteConnection } from "../../web/src/db-worker/sqlite/connection";
import { serialised, snapshotOf } from "../replicaTools";
import { SyncDb, type Exclusive } from "../../web/src/sync/syncDb";
import { token } from "./device";
import { openReplica } from "./replica";
import type { AccountKey } from "../../web/src/crypto/keyring";
import { CellCipher } from "../../web/src/crypto/cellCipher";
import { DeviceKeyring } from "../../web/src/crypto/keyStore";
import type { RefusedChange } from "../../web/src/crypto/receivedCells";

export interface Faults {
  /** Chance that a frame is delivered twice. */
  duplicate: number;
  /** Chance that a frame (and every frame after it, to keep order) is held back for a while. */
  hold: number;
  random: () => number;
}

class FaultyTransport implements Transport {
  onChangesReceived: ((msg: Changes) => Promise<void>) | null = null;
  onStartStreaming: ((msg: StartStreaming) => Promise<void>) | null = null;
  onResetStream: ((msg: StartStreaming) => Promise<void>) | null = null;
  #ws: WebSocket | undefined;
  #hadStart = false;
  /** Frames waiting in each direction while held back; order is kept. */
  #outQueue: Uint8Array[] = [];
  #inQueue: Msg[] = [];
  #holding = { out: false, in: false };
  #pingsOut = 0;
  /** Every Ping answered: the server stored everything sent (as the app's transport reports). */
  onAllAcknowledged: (() => void) | null = null;

  constructor(
    private readonly userId: string,
    private readonly deviceId: string,
    private readonly faults: Faults,
    private readonly keyId?: string,
  ) {}

  start(onReady: () => void): void {
    void this.#open().then(onReady, () => undefined);
  }

  async #open(): Promise<void> {
    const protocol = encodeSyncProtocol({ auth: await token(this.userId, this.deviceId), room: this.userId });
    const response = await exports.default.fetch(`http://cobrain.test/sync${this.keyId ? `?key=${this.keyId}` : ""}`, { headers: { Upgrade: "websocket", "Sec-WebSocket-Protocol": protocol } });
    const ws = response.webSocket;
    if (!ws) throw new Error(`upgrade refused: ${response.status}`);
    ws.binaryType = "arraybuffer";
    ws.accept();
    ws.addEventListener("message", (event) => this.#incoming(decode(new Uint8Array(event.data as ArrayBuffer))));
    this.#ws = ws;
  }

  #incoming(msg: Msg): void {
    const copies = this.faults.random() < this.faults.duplicate ? 2 : 1;
    for (let i = 0; i < copies; i++) this.#inQueue.push(msg);
    if (!this.#holding.in && this.faults.random() < this.faults.hold) this.#holdBack("in");
    if (!this.#holding.in) this.#drainIn();
  }

  #drainIn(): void {
    for (const msg of this.#inQueue.splice(0)) {
      if (msg._tag === tags.Changes) void this.onChangesReceived?.(msg).catch(() => undefined);
      if (msg._tag === tags.Pong && --this.#pingsOut === 0) this.onAllAcknowledged?.();
      if (msg._tag === tags.StartStreaming) {
        const handler = this.#hadStart ? this.onResetStream : this.onStartStreaming;
        this.#hadStart = true;
        // A held frame can arrive after the case closed this replica; what it starts then is moot.
        void Promise.resolve(handler?.(msg)).catch(() => undefined);
      }
    }
  }

  #send(msg: Msg): void {
    const frame = encode(msg);
    const copies = msg._tag === tags.Changes && this.faults.random() < this.faults.duplicate ? 2 : 1;
    for (let i = 0; i < copies; i++) this.#outQueue.push(frame);
    if (!this.#holding.out && this.faults.random() < this.faults.hold) this.#holdBack("out");
    if (!this.#holding.out) this.#drainOut();
  }

  #drainOut(): void {
    for (const frame of this.#outQueue.splice(0)) this.#ws?.send(frame);
  }

  #holdBack(direction: "in" | "out"): void {
    this.#holding[direction] = true;
    setTimeout(() => {
      this.#holding[direction] = false;
      if (direction === "in") this.#drainIn();
      else this.#drainOut();
    }, 5 + Math.floor(this.faults.random() * 40));
  }

  announcePresence(msg: AnnouncePresence): void {
    this.#send(msg);
  }

  sendChanges(msg: Changes): "reconnecting" | "buffer-full" | "sent" {
    if (!this.#ws) return "reconnecting";
    this.#send(msg);
    this.#pingsOut++;
    this.#send({ _tag: tags.Ping });
    return "sent";
  }

  rejectChanges(msg: RejectChanges): void {
    this.#send(msg);
  }

  close(): void {
    this.#ws?.close(1000, "bye");
    this.#ws = undefined;
  }
}

export class SimDevice {
  #sync: { stop(): boolean } | undefined;
  #syncDb: SyncDb | undefined;
  readonly #exclusive: Exclusive;
  /** Received changes this device refused (did not decrypt, wrong type…): none, honestly synced. */
  readonly refused: RefusedChange[] = [];

  private constructor(
    readonly db: SqliteConnection,
    readonly userId: string,
    readonly deviceId: string,
    private readonly faults: Faults,
    private key?: AccountKey,
  ) {
    this.#exclusive = serialised(db);
  }

  /** The replica, one request at a time (as the app's database worker runs it). */
  get exclusive(): Exclusive {
    return this.#exclusive;
  }

  /** From the next connection on, sync encrypted under `key` (an upgraded device). */
  useKey(key: AccountKey): void {
    this.key = key;
  }

  /** A device of `userId`; with `key`, it syncs end-to-end encrypted under that account key. */
  static async create(userId: string, deviceId: string, faults: Faults, key?: AccountKey): Promise<SimDevice> {
    return new SimDevice(await openReplica(), userId, deviceId, faults, key);
  }

  get connected(): boolean {
    return this.#sync !== undefined;
  }

  async connect(): Promise<void> {
    this.disconnect();
    const cipher = this.key ? new CellCipher(new DeviceKeyring([this.key], this.key.generation)) : undefined;
    const syncDb = await SyncDb.open(this.#exclusive, { onRefused: (r) => this.refused.push(...r) }, cipher);
    const transport = new FaultyTransport(this.userId, this.deviceId, this.faults, this.key?.keyId);
    transport.onAllAcknowledged = () => void syncDb.acknowledgeSent().catch(() => undefined); // closed at the end of a case
    const synced = await syncDb.syncOver(transport, { url: "http://cobrain.test/sync", room: this.userId });
    await synced.start();
    this.#sync = synced;
    this.#syncDb = syncDb;
  }

  disconnect(): void {
    this.#sync?.stop();
    this.#sync = undefined;
    this.#syncDb = undefined;
  }

  /** Disconnects and frees the replica (thousands of cases share one WASM heap). */
  async close(): Promise<void> {
    this.disconnect();
    await this.#exclusive((db) => db.close());
  }

  /** Reads a note's field and writes `change(value)` back, as an editor would. */
  async edit(id: string, field: "title" | "body", change: (text: string) => string): Promise<void> {
    await this.#exclusive(async (db) => {
      const { rows } = await db.exec(`SELECT ${field} FROM notes WHERE id = ?`, [id]);
      if (rows.length === 0) return;
      await db.exec(`UPDATE notes SET ${field} = ? WHERE id = ?`, [change(String(rows[0]![0])), id]);
    });
    this.#syncDb?.notifyLocalChange();
  }

  rows(sql: string, params: SqlParam[] = []) {
    return this.#exclusive(async (db) => (await db.exec(sql, params)).rows);
  }

  async write(sql: string, params: SqlParam[] = []): Promise<void> {
    await this.#exclusive((db) => db.exec(sql, params));
    this.#syncDb?.notifyLocalChange();
  }

  /** Nudges the outbound stream (the stock one only re-pulls on change events). */
  nudge(): void {
    this.#syncDb?.notifyLocalChange();
  }

  snapshot(): Promise<string> {
    return snapshotOf(this.#exclusive);
  }

}
