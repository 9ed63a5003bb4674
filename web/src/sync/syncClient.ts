/**
 * Runs sync in the owner tab's database worker: the stock `@vlcn.io/ws-client` with CoBrain's
 * adapter (SyncDb) and transport (SyncTransport), the sign-in state kept in `local_settings`
 * (never replicated), the device's row in `devices`, and a status the UI can trust.
 */
import { traceMark } from "../db-worker/trace";
import type { ApiMethod } from "../../../shared/api";
import { Coalescer } from "./coalesce";
import { COPY_MIN_NEW_CHANGES, DEVICE_SEEN_INTERVAL_MS, LOCAL_CHANGE_COALESCE_MS, TOKEN_RENEW_BEFORE_MS } from "../../../shared/constants";
import { refusalOfClose } from "../../../shared/syncRefusals";
import { deriveSyncStatus, readTokenClaims, type HeldChange, type SyncStatus, type TokenClaims, type TransportState } from "../../../shared/syncStatus";
import type { SqliteConnection } from "../db-worker/sqlite/connection";
import { deviceName, devicePlatform } from "../api/deviceInfo";
import { forwardCall, serverApi, type ForwardedAnswer, type ServerApi } from "../api/serverApi";
import { ActivityLog } from "./activityLog";
import { readHeld } from "./heldChanges";
import { SyncDb, type Exclusive } from "./syncDb";
import { SyncTransport } from "./transport";
import { notesHeld } from "../notes/listCounts";
import { errorMessage } from "../../../shared/errorMessage";
import { seenOf } from "../crypto/accountKeyCheck";
import { keyCheckWithDistribution } from "../crypto/keyDistribution";
import { loadKeyring, type DeviceKeyring } from "../crypto/keyStore";
import { fastAead } from "../crypto/aead";
import { fetchCopy, offerCopy } from "./accountCopy";
import { isNewDatabase, NoCopyError, type CopyMaking } from "../db-worker/snapshot";
import { CellCipher } from "../crypto/cellCipher";
import { describeRefused } from "../crypto/receivedCells";
import { rekeyEntities } from "../crypto/entityRekey";
import { localIdKey } from "../crypto/localIdKey";
import { fromHex, toHex } from "../crypto/bytes";
import { accountKeyFrom } from "../crypto/keyStore";
import type { ExportedAccountKey } from "../db/protocol";

/** "Synced N s ago" after a restart may be this stale; saves a settings write on every edit. */
const LAST_SYNCED_WRITE_INTERVAL_MS = 30_000;

const SETTING = { token: "sync.token", server: "sync.server", lastSyncedAt: "sync.lastSyncedAt", account: "sync.account", refresh: "sync.refresh" } as const;

/** The account a device belongs to: its user on its server. Kept after sign-out. */
export interface DeviceAccount {
  userId: string;
  serverUrl: string;
}

/** Why a device refuses another account's token: its notes must never mix with another account's. */
export class OtherAccountError extends Error {
  constructor(owner: DeviceAccount, other: DeviceAccount) {
    super(
      `this device belongs to ${owner.userId} on ${owner.serverUrl}, not to ${other.userId} on ${other.serverUrl}; ` +
        "to use it for the other account, choose \"Use this device for the other account\", which starts from an empty database",
    );
    this.name = "OtherAccountError";
  }
}

const sameAccount = (a: DeviceAccount, b: DeviceAccount) => a.userId.normalize("NFKC").toLowerCase() === b.userId.normalize("NFKC").toLowerCase() && a.serverUrl === b.serverUrl;

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
  readonly #copyMaking: CopyMaking;
  /** See the constructor; used at most once. */
  #adoptCopy: ((file: Uint8Array, seq: number) => Promise<void>) | undefined;
  /** A new device is receiving the account's copy (before its session starts): shown as syncing, with its bytes. */
  #receivingCopy: { claims: TokenClaims; serverUrl: string; received: number; total: number } | undefined;
  /** A copy is being made or offered now. */
  #offeringCopy = false;
  /** Changes sent and received since this session last asked whether a new copy is due. */
  #changesSinceCopyCheck = 0;
  /** This session has asked once (its first "synced"). */
  #copyCheckedOnce = false;
  #pullCut = false;
  /** The last pull found changes that have not gone out on a socket yet. */
  #unsent = false;
  #applying = 0;
  #lastSyncedAt: number | undefined;
  #lastDeviceWrite = 0;
  #lastSyncedWrite = 0;
  /** The first local change of a burst goes out at once; what follows within the window, together. */
  readonly #coalesce = new Coalescer(() => this.#session?.syncDb.notifyLocalChange(), LOCAL_CHANGE_COALESCE_MS);
  /** Bumped by every start and stop: a start that finishes after a newer one gives way. */
  #generation = 0;
  /** Local changes no frame can carry, held aside (shown in the status). */
  #held: HeldChange[] = [];
  readonly #activity: ActivityLog;
  /** Changes in the last pull, logged when they go out. */
  #lastPullCount = 0;
  /** Changes sent since the server last acknowledged everything. */
  #sentSinceAck = 0;
  #keyring: Promise<DeviceKeyring> | undefined;
  /** A first sync's progress: notes received (held now, less those held at its start) of the server's count, shown until synced. */
  #catchUp: { base: number; received: number; total: number } | undefined;

  /**
   * `adoptCopy`, given by the database worker: makes a copy of the account's database this
   * device's (it reopens the database, and a new client syncs on from the copy's seq).
   * `copyMaking`: how this device makes the copies it offers (db-worker/snapshot.ts).
   */
  constructor(exclusive: Exclusive, publish: (status: SyncStatus) => void, adoptCopy?: (file: Uint8Array, seq: number) => Promise<void>, copyMaking: CopyMaking = {}) {
    this.#exclusive = exclusive;
    this.#publish = publish;
    this.#adoptCopy = adoptCopy;
    this.#copyMaking = copyMaking;
    this.#activity = new ActivityLog(exclusive);
  }

  /** Re-reads the held changes (some may have been fixed by a later write). */
  async #refreshHeld(): Promise<void> {
    const held = await this.#exclusive(readHeld).catch(() => this.#held);
    const added = held.filter((h) => !this.#held.some((o) => o.table === h.table && o.id === h.id && o.column === h.column));
    for (const h of added) {
      this.#activity.add("held", `${h.table === "notes" ? `note “${h.title || "Untitled"}”` : `${h.table} ${h.id}`} (${h.column}, ${Math.ceil(h.bytes / 1024)} KB) is too large to sync; held aside`);
    }
    this.#held = held;
    this.#update();
  }

  /**
   * This device's account keys (web/src/crypto/keyStore.ts), loaded once. When a key is adopted
   * (created here, or received), entity rows move to the account's keyed ids (entityRekey.ts).
   */
  keyring(): Promise<DeviceKeyring> {
    this.#keyring ??= this.#exclusive(loadKeyring).then((ring) => {
      ring.onChange((key) => key && void this.#rekey(key.idKey));
      return ring;
    });
    return this.#keyring;
  }

  /** Runs `fn` on the database alone (for the account key's commands). */
  get exclusive(): Exclusive {
    return this.#exclusive;
  }

  /** The signed-in session's server API as this device (for the account key's commands), if any. */
  sessionApi(): { api: ServerApi; deviceId: string; serverUrl: string } | undefined {
    const session = this.#session;
    if (!session) return undefined;
    return { api: serverApi(session.serverUrl, { token: () => this.#currentToken(session.serverUrl) }), deviceId: session.claims.deviceId, serverUrl: session.serverUrl };
  }

  async #rekey(idKey: Uint8Array): Promise<void> {
    const moved = await this.#exclusive((db) => rekeyEntities(db, idKey)).catch((error: unknown) => {
      this.#activity.add("error", `could not move tags and people to the account's ids: ${errorMessage(error)}`);
      return 0;
    });
    if (moved > 0) this.notifyLocalChange();
  }

  /** This device's current account key as hex, or null. */
  async exportAccountKey(): Promise<ExportedAccountKey | null> {
    const key = (await this.keyring()).current();
    return key ? { generation: key.generation, secret: toHex(key.secret), idKey: toHex(key.idKey) } : null;
  }

  /** Stores an account key received from another device, then syncs again with it. */
  async adoptAccountKey(exported: ExportedAccountKey): Promise<void> {
    const key = accountKeyFrom(fromHex(exported.secret), exported.generation, fromHex(exported.idKey));
    const keyring = await this.keyring();
    await this.#exclusive((db) => keyring.adopt(db, key));
    if (this.#session) await this.resume();
  }

  /** The key entity ids are derived with now, hex: the account's id key, or this device's own until it has it. */
  async entityIdKey(): Promise<string> {
    const key = (await this.keyring()).current();
    if (key) return toHex(key.idKey);
    return this.#exclusive(localIdKey);
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
    await this.#refreshHeld();
    if (token && serverUrl) await this.#start(token, serverUrl);
    else this.#update();
  }

  /**
   * The account this device belongs to, if it ever signed in (signing out does not change it):
   * its notes came from, and went to, that account alone.
   */
  async account(): Promise<DeviceAccount | undefined> {
    return this.#exclusive(async (db) => {
      const stored = await readSetting(db, SETTING.account);
      if (stored) return JSON.parse(stored) as DeviceAccount;
      // Signed in before the account was recorded: the token and server say whose it is.
      const [token, serverUrl] = [await readSetting(db, SETTING.token), await readSetting(db, SETTING.server)];
      const userId = token ? readTokenClaims(token)?.userId : undefined;
      return userId && serverUrl ? { userId, serverUrl } : undefined;
    });
  }

  /**
   * Signs in with a token. A device that belongs to another account refuses (OtherAccountError):
   * switching account goes through an empty database instead (see the database worker).
   */
  async signIn(token: string, serverUrl: string, refresh?: string): Promise<void> {
    const claims = readTokenClaims(token);
    if (!claims) throw new Error("that is not a CoBrain sign-in token");
    if (claims.expiresAt !== undefined && claims.expiresAt < Date.now()) throw new Error("that sign-in token has expired; ask for a new one");
    let url: URL;
    try {
      url = new URL(serverUrl);
    } catch {
      throw new Error(`not a valid server address: ${serverUrl}`);
    }
    const account = { userId: claims.userId.normalize("NFKC").toLowerCase(), serverUrl: url.origin };
    // The cell cipher's WebAssembly loads while the sign-in is stored and enrolled (the start awaits the same load).
    void fastAead();
    const owner = await this.account();
    if (owner && !sameAccount(owner, account)) throw new OtherAccountError(owner, account);
    await this.#exclusive(async (db) => {
      await writeSetting(db, SETTING.token, token.trim());
      await writeSetting(db, SETTING.server, url.origin);
      await writeSetting(db, SETTING.account, JSON.stringify(account));
      await writeSetting(db, SETTING.refresh, refresh);
    });
    // A bare access token (a sign-in link) gets its refresh credential now, while it is valid;
    // a new device's copy of the account downloads meanwhile (#start waits for both).
    const enrolling = refresh ? undefined : this.#enroll(url.origin, token.trim()).catch(() => undefined);
    await this.#start(token.trim(), url.origin, enrolling);
  }

  /**
   * Revokes this device on the server (its tokens, sockets and link codes end there), stops
   * syncing and forgets its credentials; every note stays on this device. Resolves to whether
   * the server could be told (offline: the credentials are forgotten here all the same).
   */
  async signOut(): Promise<{ revokedOnServer: boolean }> {
    const session = this.#session;
    let revokedOnServer = false;
    if (session) {
      try {
        const answer = await forwardCall(session.serverUrl, { method: "POST", path: "/api/sign-out" }, { token: () => this.#currentToken(session.serverUrl) });
        revokedOnServer = answer.status === 200;
      } catch {
        revokedOnServer = false;
      }
    }
    this.stop();
    await this.#exclusive(async (db) => {
      await writeSetting(db, SETTING.token, undefined);
      await writeSetting(db, SETTING.refresh, undefined);
    });
    this.#update();
    return { revokedOnServer };
  }

  /** Local writes happened: push them now if this is a burst's first, else with the rest of it. */
  notifyLocalChange(): void {
    this.#localChangePending = true;
    this.#update();
    if (this.#session) this.#coalesce.notify();
  }

  /** Pushes waiting local changes now (e.g. the page is being hidden). */
  flush(): void {
    this.#coalesce.flush();
  }

  /** Network changes seen by the page (workers do not always get them). */
  setOnline(online: boolean): void {
    if (this.#session && online && this.#transportState.kind === "waiting" && this.#transportState.retryAt === Number.POSITIVE_INFINITY) {
      this.#activity.add("online", "the network is back");
    }
    this.#session?.transport.setOnline(online);
  }

  stop(): void {
    this.#generation++;
    this.#coalesce.cancel();
    this.#session?.stop();
    this.#session = undefined;
    this.#streaming = false;
    void this.#activity.flush();
  }

  /** `enrolling`: the sign-in's enrolment of a refresh credential, if under way (its access token is fresh meanwhile). */
  async #start(token: string, serverUrl: string, enrolling?: Promise<void>): Promise<void> {
    traceMark("sync starting");
    this.stop();
    const generation = this.#generation;
    const claims = readTokenClaims(token);
    if (!claims) return this.#update();
    const keyring = await this.keyring();
    // Loading the cipher overlaps the account key check of the first connection: neither needs the other.
    const cipherReady = CellCipher.create(keyring).then((cipher) => {
      traceMark("cipher ready");
      return cipher;
    });
    // Asked once: a device that holds anything never becomes new again (an erase starts a new client).
    const adopt = this.#adoptCopy;
    this.#adoptCopy = undefined;
    if (adopt && (await this.#exclusive(isNewDatabase))) {
      try {
        traceMark("copy asked");
        this.#receivingCopy = { claims, serverUrl, received: 0, total: 0 };
        this.#update();
        const copy = await fetchCopy(serverUrl, enrolling ? token : await this.#currentToken(serverUrl), keyring, (received, total) => {
          if (generation !== this.#generation) return;
          this.#receivingCopy = { claims, serverUrl, received, total };
          this.#update();
        });
        if (copy && generation === this.#generation) {
          traceMark("copy opened");
          await enrolling; // its refresh credential is one of the private rows the copy takes along
          await adopt(copy.file, copy.seq);
          return; // the database worker reopened the database on the copy; its new client syncs on
        }
      } catch (error) {
        if (generation !== this.#generation) return; // stopped by the reopening: the worker says what happened
        this.#activity.add("error", `the copy of your notes on the server could not be used (${errorMessage(error)}); receiving them change by change`);
      } finally {
        this.#receivingCopy = undefined;
      }
    }
    await enrolling;
    if (generation !== this.#generation) return;
    /** Reading the account's plaintext log before it moves to encryption: until this cursor. */
    let plaintextUntil: { serverSite: string; catchUpTo: number } | undefined;
    const syncDb = await SyncDb.open(this.#exclusive, {
      onPullStart: () => {
        this.#localChangePending = false;
      },
      onPulled: (count, more) => {
        this.#pullCut = more;
        this.#unsent = count > 0;
        this.#lastPullCount = count;
        if (this.#held.length > 0) void this.#refreshHeld(); // a later write may have fixed one
        this.#update();
      },
      onHeld: () => void this.#refreshHeld(),
      onApplyStart: (count) => {
        this.#applying++;
        this.#changesSinceCopyCheck += count;
        this.#activity.add("received", `received ${count} change${count === 1 ? "" : "s"}`);
        this.#update();
      },
      onApplyEnd: () => {
        this.#applying--;
        this.#update();
        if (this.#catchUp) void this.#countReceived(this.#catchUp);
        // Caught up with the plaintext log: start again, to register the key and encrypt.
        if (plaintextUntil) {
          const until = plaintextUntil;
          void this.#exclusive((db) => seenOf(db, until.serverSite)).then((seen) => {
            if (seen >= until.catchUpTo && plaintextUntil === until && generation === this.#generation) void this.resume();
          });
        }
      },
      onSent: () => {
        this.#unsent = false;
        this.#sentSinceAck += this.#lastPullCount;
        this.#changesSinceCopyCheck += this.#lastPullCount;
        this.#activity.add("sent", `sent ${this.#lastPullCount} change${this.#lastPullCount === 1 ? "" : "s"}`);
      },
      onLocalWrites: () => this.notifyLocalChange(),
      onRefused: (refused) => {
        for (const r of refused) this.#activity.add("refused", describeRefused(r));
      },
    }, new CellCipher(keyring)); // never without a cipher: the pure-JS one until the fast one is loaded
    const transport = new SyncTransport({
      serverUrl,
      room: claims.userId,
      // Which key this device writes with, checked against the account's before every connection.
      accountKey: async () => {
        const check = await keyCheckWithDistribution(keyring, this.#exclusive, serverApi(serverUrl, { token: () => this.#currentToken(serverUrl) }), claims.deviceId);
        plaintextUntil = check.ok && check.keyId === undefined ? { serverSite: check.serverSite, catchUpTo: check.catchUpTo } : undefined;
        syncDb.useCipher(plaintextUntil ? undefined : await cipherReady);
        if (check.ok && check.keyId) await this.#rekey(keyring.current()!.idKey); // nothing to do unless a save raced an adoption
        traceMark("account key checked");
        return check;
      },
      // Read (and renewed if it nears expiry) for every connection.
      getToken: () => this.#currentToken(serverUrl),
      lastSeens: () => syncDb.getLastSeens(),
      onState: (state) => {
        this.#logTransport(state);
        this.#transportState = state;
        if (state.kind !== "open") {
          this.#streaming = false;
          syncDb.forgetUnacknowledged();
          // A push the lost socket left unanswered goes out again only with the next socket's first
          // pull, and that socket opens with no Ping out: until the pull, this is what says it waits.
          // (A session closed on purpose leaves that to the next session's first pull.)
          if (state.kind !== "closed" && transport.pushUnacknowledged) this.#unsent = true;
        }
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
        if (this.#sentSinceAck > 0 && !this.#session?.transport.unacknowledged) {
          this.#activity.add("acknowledged", `the server stored ${this.#sentSinceAck} change${this.#sentSinceAck === 1 ? "" : "s"}`);
          this.#sentSinceAck = 0;
        }
        if (!transport.unacknowledged) void syncDb.acknowledgeSent().catch(() => undefined); // only a later merge's base is affected
        this.#update();
      },
      // Try the refused frame again as soon as there is room (see SyncTransport.sendChanges).
      onDrained: () => syncDb.notifyLocalChange(),
      onApplyError: (error) => {
        this.#transportState = { kind: "failed", code: 0, reason: `could not save synced changes: ${errorMessage(error)}` };
        this.#activity.add("error", this.#transportState.reason);
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
    // A device with no cursor yet is about to receive everything: show how far along it is.
    if ((await syncDb.getLastSeens()).length === 0) void this.#countCatchUp(serverUrl, generation);
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

  /** One refresh at a time: a refresh credential works once, a second use revokes the device. */
  #refreshing: Promise<string> | undefined;

  /**
   * The stored access token, refreshed first when it is near expiry: the refresh credential is
   * spent for a new token and the next credential, both stored before the token is used.
   */
  async #currentToken(serverUrl: string): Promise<string> {
    this.#refreshing ??= this.#freshToken(serverUrl).finally(() => (this.#refreshing = undefined));
    return this.#refreshing;
  }

  async #freshToken(serverUrl: string): Promise<string> {
    const [token, refresh] = await this.#exclusive(async (db) => [await readSetting(db, SETTING.token), await readSetting(db, SETTING.refresh)]);
    if (!token) throw new Error("signed out");
    const expiresAt = readTokenClaims(token)?.expiresAt;
    if (!refresh && expiresAt !== undefined && expiresAt > Date.now()) await this.#enroll(serverUrl, token).catch(() => undefined);
    if (expiresAt === undefined || expiresAt - Date.now() > TOKEN_RENEW_BEFORE_MS) return token;
    if (!refresh) {
      if (expiresAt > Date.now()) return token;
      throw new Error("this device's sign-in has ended; sign in again (Sync → link code or sign-in link)");
    }
    let response: Response;
    try {
      response = await serverApi(serverUrl).api.public.token.refresh.$post({ json: { refresh } });
    } catch {
      return token; // offline: refresh next time (an expired token fails at connect with the reason)
    }
    const body = (await response.json().catch(() => ({}))) as { token?: string; refresh?: string; error?: string };
    if (response.status === 200 && body.token && body.refresh) {
      await this.#exclusive(async (db) => {
        await writeSetting(db, SETTING.token, body.token);
        await writeSetting(db, SETTING.refresh, body.refresh);
      });
      return body.token;
    }
    if (response.status === 400 || response.status === 401) {
      // Spent, revoked or unknown: it will never work again.
      await this.#exclusive((db) => writeSetting(db, SETTING.refresh, undefined));
      throw new Error(body.error ?? "this device's sign-in has ended; sign in again");
    }
    return token; // the server is having trouble: try again later
  }

  /** Gets the first refresh credential for a device signed in with a bare access token. */
  async #enroll(serverUrl: string, token: string): Promise<void> {
    const response = await serverApi(serverUrl, { token: async () => token }).api.token.enroll.$post();
    if (response.status !== 200) return; // already enrolled (409) or refused: nothing to store
    const { refresh } = (await response.json()) as { refresh: string };
    await this.#exclusive((db) => writeSetting(db, SETTING.refresh, refresh));
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

  /** Logs what changed in the connection: connected, refused (with why), offline. */
  #logTransport(state: TransportState): void {
    const before = this.#transportState;
    if (state.kind === "open") {
      this.#sentSinceAck = 0;
      this.#activity.add("connected", "connected to the sync server");
    } else if (state.kind === "failed" || (state.kind === "waiting" && state.code !== undefined)) {
      const refusal = refusalOfClose(state.code!);
      this.#activity.add("refused", `${refusal ? `${refusal.problem} (${state.code})` : `refused (${state.code})`}: ${state.reason}${refusal ? `. ${refusal.action}` : ""}`);
    } else if (state.kind === "waiting" && !(before.kind === "waiting" && before.reason === state.reason && before.code === undefined)) {
      this.#activity.add("offline", state.reason === "offline" ? "offline" : `offline: ${state.reason}`);
    }
  }

  /**
   * A device that has no cursor receives every note of the account: the server counts the notes
   * alive in its log (table names and row ids are not sealed), once, when such a device starts; a
   * concurrent edit elsewhere may add a few, so "received" is capped at the total when shown.
   * "Received" is the notes this device holds beyond those it held at the start (written here
   * before its first sync, they are not the server's to send).
   */
  async #countCatchUp(serverUrl: string, generation: number): Promise<void> {
    const catchUp = { base: 0, received: 0, total: 0 };
    this.#catchUp = catchUp;
    try {
      // Asked before any frame can be applied: the exclusive queue runs this first.
      catchUp.base = await this.#exclusive(notesHeld);
      const answer = await forwardCall(serverUrl, { method: "GET", path: "/api/log/stats" }, { token: () => this.#currentToken(serverUrl) });
      const notes = answer.status === 200 ? Number((answer.body as { notes?: unknown }).notes) : Number.NaN;
      if (generation !== this.#generation || this.#catchUp !== catchUp) return;
      // Nothing to receive when this device holds as many (a device alone in its account).
      if (Number.isFinite(notes) && notes > catchUp.base) catchUp.total = notes;
      else this.#catchUp = undefined;
    } catch {
      if (generation === this.#generation && this.#catchUp === catchUp) this.#catchUp = undefined; // no count: no bar, sync goes on
    }
    if (this.#catchUp === catchUp) await this.#countReceived(catchUp);
    this.#update();
  }

  /** After a frame is applied: the notes this device holds now (a sum over a few kept counts, whatever the size). */
  async #countReceived(catchUp: { base: number; received: number }): Promise<void> {
    const held = await this.#exclusive(notesHeld).catch(() => undefined);
    if (held === undefined || this.#catchUp !== catchUp) return;
    catchUp.received = Math.max(catchUp.received, held - catchUp.base);
    this.#update();
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
        unacknowledged: session?.transport.pushUnacknowledged ?? false,
        answerPending: session?.transport.unacknowledged ?? false,
        applying: this.#applying > 0 || (session?.transport.receiving ?? false),
        lastSyncedAt: this.#lastSyncedAt,
        held: this.#held,
      },
      this.#status,
      Date.now(),
    );
    const copy = this.#receivingCopy;
    if (!session && copy) {
      const { userId, deviceId } = copy.claims;
      next.state = "syncing";
      Object.assign(next, { userId, deviceId, serverUrl: copy.serverUrl, copy: { received: copy.received, total: copy.total } });
    }
    // Ended by every note counted having arrived, or by "synced" (which waits for the server's
    // whole backlog, see SyncTransport.receiving): a count that is never reached (notes deleted
    // meanwhile; a lone device, whose own notes the server never sends back) ends there.
    if (!session || next.state === "synced" || next.state === "held" || (this.#catchUp && this.#catchUp.total > 0 && this.#catchUp.received >= this.#catchUp.total)) this.#catchUp = undefined;
    else if (this.#catchUp && this.#catchUp.total > 0) {
      next.progress = { received: this.#catchUp.received, total: this.#catchUp.total };
    }
    if (session && (next.state === "synced" || next.state === "held") && this.#status.state !== next.state) {
      this.#lastSyncedAt = next.lastSyncedAt;
      void this.#recordSynced(session.claims);
      if (next.state === "synced") void this.#maybeOfferCopy(session.serverUrl);
    }
    if (JSON.stringify(next) === JSON.stringify(this.#status)) return;
    this.#status = next;
    this.#publish(next);
  }

  /**
   * Offers the server a new copy of the account's database when its log has grown enough (asked
   * at a session's first "synced", then after COPY_MIN_NEW_CHANGES sent or received here).
   */
  async #maybeOfferCopy(serverUrl: string): Promise<void> {
    if (this.#offeringCopy || (this.#copyCheckedOnce && this.#changesSinceCopyCheck < COPY_MIN_NEW_CHANGES)) return;
    this.#offeringCopy = true;
    this.#copyCheckedOnce = true;
    this.#changesSinceCopyCheck = 0;
    try {
      const keyring = await this.keyring();
      const bytes = await offerCopy(serverUrl, () => this.#currentToken(serverUrl), keyring, this.#exclusive, () => this.#status.state === "synced" && !this.#localChangePending, this.#copyMaking);
      if (bytes !== undefined) {
        traceMark("copy stored");
        this.#activity.add("sent", `stored a copy of your notes for new devices (${(bytes / 1024 / 1024).toFixed(1)} MB, sealed with your key)`);
      }
    } catch (error) {
      if (!(error instanceof NoCopyError)) this.#activity.add("error", `could not store a copy of your notes for new devices: ${errorMessage(error)}`);
    } finally {
      this.#offeringCopy = false;
    }
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
