/**
 * The main thread's handle on the database: sends requests to this tab's database worker and
 * hands out change events and storage status. Knows nothing about which tab owns the database.
 */
import type { TraceLabel } from "../db-worker/trace";
import type { SyncStatus } from "../../../shared/syncStatus";
import { forwardedServerApi, type ForwardedAnswer, type ServerApi } from "../api/serverApi";
import type { AccountKeyCommand, AccountKeyStatus, DbStatus, ExportedAccountKey, FromWorker, ReadResult, SqlStatement, StatementResult, StorageKind, ToWorker, WorkerRequest } from "./protocol";
import type { ReadArgs, ReadName, ReadValue } from "../db-worker/reads";

type ChangeListener = (tables: ReadonlySet<string>) => void;
type StatusListener = (status: DbStatus) => void;
type SyncListener = (status: SyncStatus) => void;

export class DbClient {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly #changeListeners = new Set<ChangeListener>();
  readonly #statusListeners = new Set<StatusListener>();
  readonly #syncListeners = new Set<SyncListener>();
  readonly #beforeSuspend = new Set<() => void>();
  #sync: SyncStatus = { state: "signed-out" };
  #nextId = 1;
  #status: DbStatus = { role: "starting" };
  #server: ServerApi | undefined;

  constructor(worker: Worker) {
    this.#worker = worker;
    worker.onmessage = (event: MessageEvent<FromWorker>) => this.#receive(event.data);
    worker.onerror = (event) => this.#setStatus({ role: "starting", error: `database worker failed: ${event.message}` });
  }

  get status(): DbStatus {
    return this.#status;
  }

  query(statement: SqlStatement): Promise<StatementResult> {
    return this.#request({ kind: "query", statement }) as Promise<StatementResult>;
  }

  /** Runs the statements in one transaction. */
  batch(statements: SqlStatement[]): Promise<StatementResult[]> {
    return this.#request({ kind: "batch", statements }) as Promise<StatementResult[]>;
  }

  /** One of the worker's named reads (db-worker/reads.ts), with the tables it read. */
  async read<N extends ReadName>(name: N, args: ReadArgs<N>): Promise<ReadResult<ReadValue<N>>> {
    const result = (await this.#request({ kind: "read", name, args })) as ReadResult<ReadValue<N>> | undefined;
    // A tab of an older version holding the database answers a request it does not know with nothing.
    if (!Array.isArray(result?.tables)) throw new Error("another tab holds the database and runs an older version of CoBrain: reload or close it");
    return result;
  }

  get syncStatus(): SyncStatus {
    return this.#sync;
  }

  onSync(listener: SyncListener): () => void {
    this.#syncListeners.add(listener);
    listener(this.#sync);
    return () => this.#syncListeners.delete(listener);
  }

  /** Stores the token on this device and starts syncing; rejects with a readable reason. */
  async signIn(token: string, serverUrl: string = location.origin, refresh?: string): Promise<void> {
    await this.#request({ kind: "signIn", token, serverUrl, refresh });
  }

  /** The account key on this device (web/src/sync/keyCommands.ts): adopt, status, secret, noted, rotate. */
  async accountKey<C extends AccountKeyCommand>(command: C): Promise<C extends { action: "status" } ? AccountKeyStatus | null : C extends { action: "secret" } ? { secret: Uint8Array; generation: number } | null : null> {
    return (await this.#request({ kind: "accountKey", command })) as never;
  }

  /** The key entity ids are derived with now, hex (see shared/ids.ts). */
  async entityIdKey(): Promise<string> {
    return (await this.#request({ kind: "entityIdKey" })) as string;
  }

  /** This device's current account key (hex fields), or null before it has one. */
  async exportAccountKey(): Promise<ExportedAccountKey | null> {
    return (await this.#request({ kind: "exportAccountKey" })) as ExportedAccountKey | null;
  }

  /** Starts (`on`) or stops the sync path's timeline in the owner's worker; resolves to the marks so far (benchmarks). */
  async trace(on: boolean): Promise<[TraceLabel, number][]> {
    return (await this.#request({ kind: "trace", on })) as [TraceLabel, number][];
  }

  /** Stores an account key from another device and syncs with it. */
  async adoptAccountKey(key: ExportedAccountKey): Promise<void> {
    await this.#request({ kind: "adoptAccountKey", key });
  }

  /** The account this device belongs to (its user and server), if it ever signed in. */
  async account(): Promise<{ userId: string; serverUrl: string } | null> {
    return (await this.#request({ kind: "account" })) as { userId: string; serverUrl: string } | null;
  }

  /**
   * Starts this device over for another account: erases the local database (export first!) and
   * signs in with `token` on the new, empty one. Reload the page afterwards.
   */
  async switchAccount(token: string, serverUrl: string = location.origin, refresh?: string): Promise<void> {
    await this.#request({ kind: "switchAccount", token, serverUrl, refresh });
  }

  /**
   * Revokes this device on the server and forgets its credentials; notes stay on this device
   * unless `erase` (a shared computer). Says whether the server could be told.
   */
  async signOut(options: { erase?: boolean } = {}): Promise<{ revokedOnServer: boolean }> {
    return (await this.#request({ kind: "signOut", erase: options.erase })) as { revokedOnServer: boolean };
  }

  /**
   * The sync server's API, typed by its contract, called as this device: each call goes to the
   * database worker, which adds the token (it never reaches the page). Read replies with `answer`.
   */
  get server(): ServerApi {
    this.#server ??= forwardedServerApi((call) => this.#request({ kind: "api", ...call }) as Promise<ForwardedAnswer>);
    return this.#server;
  }

  onChange(listener: ChangeListener): () => void {
    this.#changeListeners.add(listener);
    return () => this.#changeListeners.delete(listener);
  }

  onStatus(listener: StatusListener): () => void {
    this.#statusListeners.add(listener);
    listener(this.#status);
    return () => this.#statusListeners.delete(listener);
  }

  /**
   * Runs `flush` when the page is going away, before the database worker is told to let go, so
   * pending saves are queued ahead of the release. `flush` must send its writes synchronously.
   */
  beforeSuspend(flush: () => void): () => void {
    this.#beforeSuspend.add(flush);
    return () => this.#beforeSuspend.delete(flush);
  }

  /** The page is being hidden for good (or into the bfcache). */
  suspend(): void {
    for (const flush of this.#beforeSuspend) flush();
    // The worker keeps serving this tab for a short grace period, so the flushes' writes (posted
    // once their async preparation finishes) still land before the database is released.
    this.post({ type: "suspend" });
  }

  post(message: ToWorker): void {
    this.#worker.postMessage(message);
  }

  #request(request: WorkerRequest): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.post({ type: "request", id, request });
    });
  }

  #receive(message: FromWorker): void {
    switch (message.type) {
      case "response": {
        const pending = this.#pending.get(message.id);
        if (!pending) return;
        this.#pending.delete(message.id);
        if (message.response.ok) pending.resolve(message.response.value);
        else pending.reject(new Error(message.response.error));
        break;
      }
      case "changed": {
        const tables = new Set(message.tables);
        for (const listener of this.#changeListeners) listener(tables);
        break;
      }
      case "status":
        this.#setStatus(message.status);
        break;
      case "sync":
        this.#sync = message.status;
        for (const listener of this.#syncListeners) listener(message.status);
        break;
    }
  }

  #setStatus(status: DbStatus): void {
    this.#status = status;
    for (const listener of this.#statusListeners) listener(status);
  }
}

/**
 * Starts this tab's database worker. `storage` forces a weaker backend (troubleshooting, tests);
 * the page's `?storage=idb|memory` sets it.
 */
export function startDatabase(storage?: StorageKind): DbClient {
  const worker = new Worker(new URL("../worker/databaseWorker.ts", import.meta.url), { type: "module", name: "cobrain-db" });
  const client = new DbClient(worker);
  client.post({ type: "init", storage });
  // Give the OPFS handles back as the page goes away, so a reload opens without waiting.
  window.addEventListener("pagehide", () => client.suspend());
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) client.post({ type: "resume" });
  });
  window.addEventListener("online", () => client.post({ type: "network", online: true }));
  window.addEventListener("offline", () => client.post({ type: "network", online: false }));
  return client;
}
