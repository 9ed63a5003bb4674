/**
 * A device without a browser: a real cr-sqlite replica (WASM, in memory) synced by the stock
 * `@vlcn.io/ws-client` through CoBrain's SyncDb adapter, against the real local Worker.
 */
import { defaultConfig } from "@vlcn.io/ws-client";
import type { SqlParam, SqliteConnection } from "../web/src/db-worker/sqlite/connection";
import { openMemoryReplica } from "../testing/nodeReplica";
import { serialised, snapshotOf } from "../testing/replicaTools";
import { SyncDb, type Exclusive } from "../web/src/sync/syncDb";
import { mintToken } from "../worker/auth";

export class NodeDevice {
  #sync: { stop(): boolean } | undefined;
  #syncDb: SyncDb | undefined;
  readonly #exclusive: Exclusive;

  private constructor(
    readonly db: SqliteConnection,
    readonly userId: string,
    readonly deviceId: string,
  ) {
    this.#exclusive = serialised(db);
  }

  static async create(userId: string, deviceId: string): Promise<NodeDevice> {
    return new NodeDevice(await openMemoryReplica(), userId, deviceId);
  }

  /** Starts syncing with the server at `baseUrl` (http://…). */
  async connect(baseUrl: string, authSecret: string): Promise<void> {
    this.disconnect();
    const syncDb = await SyncDb.open(this.#exclusive);
    const authToken = await mintToken(authSecret, { userId: this.userId, deviceId: this.deviceId });
    const url = `${baseUrl.replace(/^http/, "ws")}/sync`;
    const transport = defaultConfig.transportProvider({ url, room: this.userId, authToken });
    const synced = await syncDb.syncOver(transport, { url, room: this.userId, authToken });
    await synced.start();
    this.#sync = synced;
    this.#syncDb = syncDb;
  }

  disconnect(): void {
    this.#sync?.stop();
    this.#sync = undefined;
    this.#syncDb = undefined;
  }

  /** A local write, then a nudge to the outbound stream (what the app's worker does). */
  async write(sql: string, params: SqlParam[] = []): Promise<void> {
    await this.#exclusive((db) => db.exec(sql, params));
    this.#syncDb?.notifyLocalChange();
  }

  /** Several writes in one transaction (one db_version). */
  async writeMany(statements: Array<[string, SqlParam[]]>): Promise<void> {
    await this.#exclusive((db) =>
      db.transaction(async () => {
        for (const [sql, params] of statements) await db.exec(sql, params);
      }),
    );
    this.#syncDb?.notifyLocalChange();
  }

  /** Every replicated table's rows, sorted, for comparing devices. */
  snapshot(): Promise<string> {
    return snapshotOf(this.#exclusive);
  }

  async count(table: string): Promise<number> {
    const { rows } = await this.#exclusive((db) => db.exec(`SELECT count(*) FROM ${table}`));
    return Number(rows[0]![0]);
  }
}

/** Waits until every device holds the same data (or throws with the difference). */
export async function converge(devices: NodeDevice[], timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const snapshots = await Promise.all(devices.map((d) => d.snapshot()));
    if (snapshots.every((s) => s === snapshots[0])) return snapshots[0]!;
    if (Date.now() > deadline) {
      throw new Error(`devices did not converge:\n${snapshots.map((s, i) => `--- ${devices[i]!.deviceId}\n${s.slice(0, 2000)}`).join("\n")}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function logStats(baseUrl: string, authSecret: string, userId: string) {
  const token = await mintToken(authSecret, { userId, deviceId: "stats" });
  const response = await fetch(`${baseUrl}/api/log/stats`, { headers: { Authorization: `Bearer ${token}` } });
  return (await response.json()) as { head: number; rows: number; peers: number };
}
