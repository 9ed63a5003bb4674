/**
 * Runs sync in the owner tab's database worker: the stock `@vlcn.io/ws-client` with CoBrain's
 * adapter (SyncDb) and transport (SyncTransport), the sign-in state kept in `local_settings`
 * (never replicated), the device's row in `devices`, and a status the UI can trust.
 */
import type { ApiMethod } from "../../../shared/api";
import { DEVICE_SEEN_INTERVAL_MS, LOCAL_CHANGE_COALESCE_MS, TOKEN_RENEW_BEFORE_MS } from "../../../shared/constants";
import { deriveSyncStatus, readTokenClaims, type SyncStatus, type TokenClaims, type TransportState } from "../../../shared/syncStatus";
import type { SqliteConnection } from "../db-worker/sqlite/connection";
import { deviceName, devicePlatform } from "../api/deviceInfo";
import { forwardCall, serverApi, type ForwardedAnswer } from "../api/serverApi";
import { SyncDb, type Exclusive } from "./syncDb";
import { SyncTransport } from "./transport";
import { errorMessage } from "../../../shared/errorMessage";

/** "Synced N s ago" after a restart may be this stale; saves a settings write on every edit. */
const LAST_SYNCED_WRITE_INTERVAL_MS = 30_000;

const SETTING = { token: "sync.token", server: "sync.server", lastSyncedAt: "sync.lastSyncedAt" } as const;

interface Session {
  claims: TokenClaims;
  serverUrl: string;
  token: string;
  transport: SyncTransport;
  syncDb: SyncDb;
  stop(): void;
}

async function readSetting(db: SqliteConnection, key: string): Promise<string | undefined> {
  const { rows } = await db.exec("SELECT value FROM local_settings WHERE key = ?", [key]);
  return rows[0]?.[0] as string | undefined;
}

async function writeSetting(db: SqliteConnection, key: string, value: string | undefined): Promise<void> {
  if (value === undefined) await db.exec("DELETE FROM local_settings WHERE key = ?", [key]);
  else await db.exec("INSERT INTO local_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value]);
}

export class SyncClient {
  readonly #exclusive: Exclusive;
  readonly #publish: (status: SyncStatus) => void;
  #session: Session | undefined;
  #status: SyncStatus = { state: "signed-out" };
  #transportState: TransportState = { kind: "closed" };
  #streaming = false;
  #streamedOnce = false;
  #localChangePending = false;
  #pullCut = false;
  /** The last pull found changes that have not gone out on a socket yet. */
  #unsent = false;
  #applying = 0;
  #lastSyncedAt: number | undefined;
  #lastDeviceWrite = 0;
  #lastSyncedWrite = 0;
  #coalesce: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by every start and stop: a start that finishes after a newer one gives way. */
  #generation = 0;

  constructor(exclusive: Exclusive, publish: (status: SyncStatus) => void) {
    this.#exclusive = exclusive;
    this.#publish = publish;
  }

  get status(): SyncStatus {
    return this.#status;
  }

  /** On every app start: syncs again if this device signed in before. */
  async resume(): Promise<void> {
    const [token, serverUrl, lastSyncedAt] = await this.#exclusive(async (db) => [
      await readSetting(db, SETTING.token),
      await readSetting(db, SETTING.server),
      await readSetting(db, SETTING.lastSyncedAt),
    ]);
    this.#lastSyncedAt = lastSyncedAt ? Number(lastSyncedAt) : undefined;
    if (token && serverUrl) await this.#start(token, serverUrl);
    else this.#update();
  }

  async signIn(token: string, serverUrl: string): Promise<void> {
    const claims = readTokenClaims(token);
    if (!claims) throw new Error("that is not a CoBrain sign-in token");
    if (claims.expiresAt !== undefined && claims.expiresAt < Date.now()) throw new Error("that sign-in token has expired; ask for a new one");
    let url: URL;
    try {
      url = new URL(serverUrl);
    } catch {
      throw new Error(`not a valid server address: ${serverUrl}`);
    }
    await this.#exclusive(async (db) => {
      await writeSetting(db, SETTING.token, token.trim());
      await writeSetting(db, SETTING.server, url.origin);
    });
    await this.#start(token.trim(), url.origin);
  }

  /** Stops syncing and forgets the token; every note stays on this device. */
  async signOut(): Promise<void> {
    this.stop();
    await this.#exclusive((db) => writeSetting(db, SETTING.token, undefined));
    this.#update();
  }

  /** Local writes happened: push them soon, together with the rest of the burst. */
  notifyLocalChange(): void {
    this.#localChangePending = true;
    this.#update();
    if (!this.#session || this.#coalesce) return;
    this.#coalesce = setTimeout(() => this.flush(), LOCAL_CHANGE_COALESCE_MS);
  }

  /** Pushes waiting local changes now (e.g. the page is being hidden). */
  flush(): void {
    clearTimeout(this.#coalesce);
    this.#coalesce = undefined;
    this.#session?.syncDb.notifyLocalChange();
  }

  /** Network changes seen by the page (workers do not always get them). */
  setOnline(online: boolean): void {
    this.#session?.transport.setOnline(online);
  }

  stop(): void {
    this.#generation++;
    clearTimeout(this.#coalesce);
    this.#coalesce = undefined;
    this.#session?.stop();
    this.#session = undefined;
    this.#streaming = false;
  }

  async #start(token: string, serverUrl: string): Promise<void> {
    this.stop();
    const generation = this.#generation;
    const claims = readTokenClaims(token);
    if (!claims) return this.#update();
    const syncDb = await SyncDb.open(this.#exclusive, {
      onPullStart: () => {
        this.#localChangePending = false;
      },
      onPulled: (count, more) => {
        this.#pullCut = more;
        this.#unsent = count > 0;
        this.#update();
      },
      onApplyStart: () => {
        this.#applying++;
        this.#update();
      },
      onApplyEnd: () => {
        this.#applying--;
        this.#update();
      },
      onSent: () => {
        this.#unsent = false;
      },
      onLocalWrites: () => this.notifyLocalChange(),
    });
    const transport = new SyncTransport({
      serverUrl,
      room: claims.userId,
      // Read (and renewed if it nears expiry) for every connection.
      getToken: () => this.#currentToken(serverUrl),
      lastSeens: () => syncDb.getLastSeens(),
      onState: (state) => {
        this.#transportState = state;
        if (state.kind !== "open") this.#streaming = false;
        if (state.kind !== "open") syncDb.forgetUnacknowledged();
        this.#update();
      },
      onStreaming: () => {
        const first = !this.#streamedOnce;
        this.#streaming = true;
        this.#streamedOnce = true;
        this.#update();
        void this.#touchDevice(claims, first); // registered once per session, then sparingly
      },
      onAck: () => {
        if (!transport.unacknowledged) void syncDb.acknowledgeSent().catch(() => undefined); // only a later merge's base is affected
        this.#update();
      },
      onApplyError: (error) => {
        this.#transportState = { kind: "failed", code: 0, reason: `could not save synced changes: ${errorMessage(error)}` };
        this.#update();
      },
    });
    const synced = await syncDb.syncOver(transport, { url: serverUrl, room: claims.userId, authToken: token });
    if (generation !== this.#generation) {
      // Signed in again, out, or stopped while this start was on its way: it must not run.
      synced.stop();
      return;
    }
    this.#streamedOnce = false;
    this.#session = { claims, serverUrl, token, transport, syncDb, stop: () => synced.stop() };
    await synced.start();
    this.#update();
  }

  /**
   * Calls the server's API with this device's token, for a thread that does not hold it. Any HTTP
   * answer comes back as status and body (the caller reads it through `forwardedServerApi`).
   */
  async api(method: ApiMethod, path: string, body?: unknown): Promise<ForwardedAnswer> {
    const session = this.#session;
    if (!session) throw new Error("sign in first");
    return forwardCall(
      session.serverUrl,
      { method, path, body },
      { token: () => this.#currentToken(session.serverUrl), unreachable: "the sync server cannot be reached; try again when online" },
    );
  }

  /** The stored token, renewed first when it is near expiry and the server is reachable. */
  async #currentToken(serverUrl: string): Promise<string> {
    const token = await this.#exclusive((db) => readSetting(db, SETTING.token));
    if (!token) throw new Error("signed out");
    const expiresAt = readTokenClaims(token)?.expiresAt;
    if (expiresAt === undefined || expiresAt - Date.now() > TOKEN_RENEW_BEFORE_MS) return token;
    try {
      const response = await serverApi(serverUrl, { token: async () => token }).api.token.renew.$post();
      if (!response.ok) return token; // an expired or revoked token fails at connect with the reason
      const renewed = (await response.json()).token;
      await this.#exclusive((db) => writeSetting(db, SETTING.token, renewed));
      return renewed;
    } catch {
      return token; // offline: renew next time
    }
  }

  /** Registers this device in `devices` and refreshes its last sync time, sparingly. */
  async #touchDevice(claims: TokenClaims, force = false): Promise<void> {
    const now = Date.now();
    if (!force && now - this.#lastDeviceWrite < DEVICE_SEEN_INTERVAL_MS) return;
    this.#lastDeviceWrite = now;
    await this.#exclusive((db) =>
      db.exec(
        `INSERT INTO devices (id, name, platform, last_sync_at, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET last_sync_at = excluded.last_sync_at`,
        [claims.deviceId, deviceName(), devicePlatform(), now, now],
      ),
    );
    this.notifyLocalChange();
  }

  #update(): void {
    const session = this.#session;
    const next = deriveSyncStatus(
      {
        session: session && { userId: session.claims.userId, deviceId: session.claims.deviceId, serverUrl: session.serverUrl },
        transport: this.#transportState,
        streaming: this.#streaming,
        localChanges: this.#localChangePending,
        unsent: this.#pullCut || this.#unsent,
        unacknowledged: session?.transport.unacknowledged ?? false,
        applying: this.#applying > 0,
        lastSyncedAt: this.#lastSyncedAt,
      },
      this.#status,
      Date.now(),
    );
    if (session && next.state === "synced" && this.#status.state !== "synced") {
      this.#lastSyncedAt = next.lastSyncedAt;
      void this.#recordSynced(session.claims);
    }
    if (JSON.stringify(next) === JSON.stringify(this.#status)) return;
    this.#status = next;
    this.#publish(next);
  }

  /** Keeps "last synced" across restarts; every edit ends in "synced", so it is written sparingly. */
  async #recordSynced(claims: TokenClaims): Promise<void> {
    const at = this.#lastSyncedAt ?? Date.now();
    if (at - this.#lastSyncedWrite >= LAST_SYNCED_WRITE_INTERVAL_MS) {
      this.#lastSyncedWrite = at;
      await this.#exclusive((db) => writeSetting(db, SETTING.lastSyncedAt, String(at)));
    }
    await this.#touchDevice(claims);
  }
}
