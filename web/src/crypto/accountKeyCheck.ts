/**
 * Before each sync connection: which key does this device write with, and may it sync at all?
 *
 * - The server has no key id yet: the account's first device. It creates the key, stores it on
 *   the device FIRST (a crash after registering must not leave the account with a key nobody
 *   holds), then registers its id (compare-and-set). If another device registered first, the key
 *   made here is dropped (nothing was written with it) and this device needs the account key.
 * - The server has a key id: the device syncs only if its current key has that id. Without a key
 *   it never creates one (that would split the account): it says it needs the account key.
 *   With another key it says its key is old or wrong.
 * A server that cannot be reached: a device holding a key connects with it (the server checks
 * again at the socket); one without a key waits (the error is thrown, the transport retries).
 */
import type { ApiAccountKey, ApiKeyConflict, ApiKeyInit } from "../../../shared/api";
import { CloseCode, FINAL_CLOSE_CODES } from "../../../shared/syncProtocol";
import { closeCodeOfHttp } from "../../../shared/syncRefusals";
import type { SqliteConnection } from "../db-worker/sqlite/connection";
import { createAccountKey, type DeviceKeyring } from "./keyStore";
import { fromHex } from "./bytes";

export type KeyCheck =
  | { ok: true; keyId: string }
  /**
   * The account's log still holds plaintext (written before encryption) that this device has not
   * received: sync without a key (and without encrypting) until its cursor for `serverSite`
   * reaches `catchUpTo`, then check again; only then may it register the key and replace the log.
   */
  | { ok: true; keyId?: undefined; catchUpTo: number; serverSite: string }
  | { ok: false; code: number; reason: string };

/** The two calls the check needs, so tests can stand in a server. */
export interface AccountKeyApi {
  get(): Promise<ApiAccountKey>;
  /** 200 with the registered id, or 409 when another key was registered first. */
  init(keyId: string, generation: number, seen: number): Promise<{ status: 200; body: ApiKeyInit } | { status: 409 | 400; body: ApiKeyConflict }>;
}

/** The server refused the device itself (a bad or revoked token): final, like the same refusal at the socket. */
export class KeyCheckRefused extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

type Exclusive = <T>(fn: (db: SqliteConnection) => Promise<T>) => Promise<T>;

export const NEEDS_KEY_REASON = "this account's notes are encrypted with a key this device does not have yet";
export const WRONG_KEY_REASON = "this device has an old or wrong key for these notes";

/** This device's cursor in the server's log whose site id is `serverSite` (hex): what it has received. */
export async function seenOf(db: SqliteConnection, serverSite: string): Promise<number> {
  const { rows } = await db.exec("SELECT max(version) FROM crsql_tracked_peers WHERE site_id = ?", [fromHex(serverSite)]);
  return Number(rows[0]?.[0] ?? 0);
}

export async function checkAccountKey(keyring: DeviceKeyring, exclusive: Exclusive, api: AccountKeyApi): Promise<KeyCheck> {
  let server: ApiAccountKey;
  try {
    server = await api.get();
  } catch (error) {
    if (error instanceof KeyCheckRefused) return { ok: false, code: error.code, reason: error.message };
    const mine = keyring.current();
    if (mine) return { ok: true, keyId: mine.keyId };
    throw error;
  }
  const mine = keyring.current();
  if (server.keyId === null) {
    const log = server.plaintextLog;
    const seen = log ? await exclusive((db) => seenOf(db, log.serverSite)) : 0;
    if (log && seen < log.mustSee) return { ok: true, catchUpTo: log.mustSee, serverSite: log.serverSite };
    const key = mine ?? createAccountKey();
    if (!mine) await exclusive((db) => keyring.adopt(db, key));
    const answer = await api.init(key.keyId, key.generation, seen);
    if (answer.status === 200) return { ok: true, keyId: key.keyId };
    if (answer.status === 409) {
      if (!mine) await exclusive((db) => keyring.forget(db, key.generation));
      // Another device pushed plaintext meanwhile: receive it first.
      if (answer.body.catchUpTo !== undefined && log) return { ok: true, catchUpTo: answer.body.catchUpTo, serverSite: log.serverSite };
      return mine ? { ok: false, code: CloseCode.WrongAccountKey, reason: WRONG_KEY_REASON } : { ok: false, code: CloseCode.NeedsAccountKey, reason: NEEDS_KEY_REASON };
    }
    throw new Error(`the server refused the key id: ${answer.body.error}`);
  }
  if (!mine) return { ok: false, code: CloseCode.NeedsAccountKey, reason: NEEDS_KEY_REASON };
  if (mine.keyId === server.keyId) return { ok: true, keyId: mine.keyId };
  return { ok: false, code: CloseCode.WrongAccountKey, reason: WRONG_KEY_REASON };
}

/** The check's calls against the real server, with the device's token. */
export function serverAccountKeyApi(api: import("../api/serverApi").ServerApi): AccountKeyApi {
  return {
    async get() {
      const response = await api.api.keys.$get();
      const status: number = response.status;
      const refusal = closeCodeOfHttp(status);
      if (refusal !== undefined && FINAL_CLOSE_CODES.has(refusal)) {
        const body = (await response.json().catch(() => ({}))) as { error?: string };
        throw new KeyCheckRefused(refusal, body.error ?? `refused by the server (${status})`);
      }
      if (response.status !== 200) throw new Error(`the server could not say which key the account uses (${response.status})`);
      return response.json();
    },
    async init(keyId, generation, seen) {
      const response = await api.api.keys.init.$post({ json: { keyId, generation, seen } });
      const status: number = response.status;
      if (status === 200 || status === 409 || status === 400) return { status, body: await response.json() } as Awaited<ReturnType<AccountKeyApi["init"]>>;
      throw new Error(`the server could not register the key id (${status})`);
    },
  };
}
