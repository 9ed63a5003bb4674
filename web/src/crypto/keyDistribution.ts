/**
 * How the account key reaches a device (worker thread), on top of the device keyring
 * (keyStore.ts) and the server's key id check (accountKeyCheck.ts):
 *
 * - `adoptSecret`: a secret typed as the recovery phrase or carried by a QR link is checked
 *   against the server's current key id BEFORE it is kept, so a wrong phrase is refused with a
 *   clear error and the device stays without a key (and so never syncs). The idKey comes from
 *   the server, sealed under that secret.
 * - `keyCheckWithDistribution`: around each connection's key check, a device adopts a rotated
 *   key sealed for it (it was offline, or its socket was told KeyRotated), the first device stores
 *   the sealed idKey, and every device registers its ECDH public key so rotations reach it (not
 *   awaited by the connection, one registration at a time).
 */
import type { ApiAccountKey } from "../../../shared/api";
import type { SqliteConnection } from "../db-worker/sqlite/connection";
import type { ServerApi } from "../api/serverApi";
import { checkAccountKey, serverAccountKeyApi, type KeyCheck } from "./accountKeyCheck";
import { deriveIdKey, deriveKeyId } from "./keyDerivation";
import type { AccountKey } from "./keyring";
import { accountKeyFrom, type DeviceKeyring } from "./keyStore";
import { createDeviceKeyPair, unwrapIdKey, unwrapSecretForDevice, wrapIdKey, type DeviceKeyPair } from "./keyWrap";

type Exclusive = <T>(fn: (db: SqliteConnection) => Promise<T>) => Promise<T>;

/** `local_settings` keys (never replicated). */
export const DEVICE_KEY_PAIR_SETTING = "crypto.deviceKeyPair";
/**
 * The generation whose recovery phrase this device must show until it is written down: set when
 * this device made the key or moved to a rotated one (not when the person brought the key here,
 * by the phrase or a QR link: it is written down already).
 */
export const PHRASE_TO_SHOW_SETTING = "crypto.phraseToShow";

/** A secret that is not the account's current key: the message says which case, for the person. */
export class WrongSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WrongSecretError";
  }
}

async function readSetting(db: SqliteConnection, key: string): Promise<string | undefined> {
  const { rows } = await db.exec("SELECT value FROM local_settings WHERE key = ?", [key]);
  return rows[0]?.[0] as string | undefined;
}

export async function writeSetting(db: SqliteConnection, key: string, value: string): Promise<void> {
  await db.exec("INSERT INTO local_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value]);
}

async function readAccountKey(api: ServerApi): Promise<ApiAccountKey> {
  const response = await api.api.keys.$get();
  if (response.status !== 200) throw new Error(`the server could not say which key the account uses (${response.status})`);
  return response.json();
}

/** The key `secret` makes for this account, if it is the account's current one; else a clear error. */
export async function keyForSecret(secret: Uint8Array, server: ApiAccountKey): Promise<AccountKey> {
  if (server.keyId === null || server.generation === null) {
    throw new WrongSecretError("this account has no key yet: sign in on the device that holds your notes first");
  }
  const keyId = deriveKeyId(secret);
  if (keyId !== server.keyId) {
    if (server.olderKeyIds.includes(keyId)) {
      throw new WrongSecretError(
        "this is an older recovery phrase: the key changed when a device was revoked. Use the newest phrase (Settings → Sync → Show recovery phrase on one of your devices)",
      );
    }
    throw new WrongSecretError("this recovery phrase is not this account's: check every word (nothing was changed on this device)");
  }
  // Generation 0's idKey is derived from its secret; later ones carry it, sealed by the server.
  const idKey = server.wrappedIdKey ? await unwrapIdKey(secret, server.wrappedIdKey) : server.generation === 0 ? deriveIdKey(secret) : undefined;
  if (!idKey) throw new Error("the server does not have this account's sealed id key; open the app on one of your other devices, then try again");
  return accountKeyFrom(secret, server.generation, idKey);
}

/** Checks `secret` against the server and keeps it as this device's current key. */
export async function adoptSecret(secret: Uint8Array, keyring: DeviceKeyring, exclusive: Exclusive, api: ServerApi): Promise<AccountKey> {
  const key = await keyForSecret(secret, await readAccountKey(api));
  await exclusive((db) => keyring.adopt(db, key));
  return key;
}

/** This device's ECDH key pair, made once and kept in local_settings with its other credentials. */
export function deviceKeyPair(exclusive: Exclusive): Promise<DeviceKeyPair & { registeredAs?: string }> {
  // One at a time: two callers at once could each find none and make one.
  const next = pairLookups.then(async () => {
    const stored = await exclusive((db) => readSetting(db, DEVICE_KEY_PAIR_SETTING));
    if (stored) return JSON.parse(stored) as DeviceKeyPair & { registeredAs?: string };
    const pair = await createDeviceKeyPair();
    await exclusive((db) => writeSetting(db, DEVICE_KEY_PAIR_SETTING, JSON.stringify(pair)));
    return pair;
  });
  pairLookups = next.catch(() => undefined);
  return next;
}
let pairLookups: Promise<unknown> = Promise.resolve();

/** A registration request that hangs must not hold the ones after it (they run one at a time). */
const REGISTRATION_REQUEST_TIMEOUT_MS = 30_000;

/** A rotated key sealed for this device, adopted if it is newer than the one it holds. */
async function adoptRotated(server: ApiAccountKey, keyring: DeviceKeyring, exclusive: Exclusive, deviceId: string): Promise<void> {
  const mine = keyring.current();
  if (!server.wrappedForDevice || server.keyId === null || server.generation === null || !mine) return;
  if (mine.keyId === server.keyId || mine.generation >= server.generation) return;
  const pair = await deviceKeyPair(exclusive);
  const secret = await unwrapSecretForDevice(server.wrappedForDevice, server.generation, deviceId, pair.privateKey);
  // The idKey stays the same across rotations: carried from the key this device holds.
  const key = accountKeyFrom(secret, server.generation, mine.idKey);
  if (key.keyId !== server.keyId) throw new Error("the new account key sent for this device does not match the account's key id");
  await exclusive(async (db) => {
    await keyring.adopt(db, key);
    await writeSetting(db, PHRASE_TO_SHOW_SETTING, String(key.generation)); // the phrase changed
  });
}

/** After a good check: the sealed idKey stored once, this device's public key registered. */
async function afterGoodCheck(server: ApiAccountKey, keyring: DeviceKeyring, exclusive: Exclusive, api: ServerApi, deviceId: string): Promise<void> {
  const mine = keyring.current();
  const bounded = () => ({ init: { signal: AbortSignal.timeout(REGISTRATION_REQUEST_TIMEOUT_MS) } });
  if (mine && !server.wrappedIdKey) {
    await api.api.keys["id-key"].$post({ json: { keyId: mine.keyId, wrappedIdKey: await wrapIdKey(mine.secret, mine.idKey) } }, bounded());
  }
  const pair = await deviceKeyPair(exclusive);
  if (pair.registeredAs === deviceId) return;
  const response = await api.api.keys.device.$post({ json: { publicKey: JSON.stringify(pair.publicKey) } }, bounded());
  if (response.status === 200) await exclusive((db) => writeSetting(db, DEVICE_KEY_PAIR_SETTING, JSON.stringify({ ...pair, registeredAs: deviceId })));
}

/** The connection's key check (accountKeyCheck.ts) with the distribution steps around it. */
export async function keyCheckWithDistribution(keyring: DeviceKeyring, exclusive: Exclusive, api: ServerApi, deviceId: string): Promise<KeyCheck> {
  const base = serverAccountKeyApi(api);
  let seen: ApiAccountKey | undefined;
  const before = keyring.current();
  const check = await checkAccountKey(keyring, exclusive, {
    async get() {
      seen = await base.get();
      await adoptRotated(seen, keyring, exclusive, deviceId);
      return seen;
    },
    init: base.init,
  });
  const made = keyring.current();
  if (check.ok && !before && made && seen?.keyId === null) {
    // This device made the account's key just now: its phrase is shown until written down.
    await exclusive((db) => writeSetting(db, PHRASE_TO_SHOW_SETTING, String(made.generation)));
  }
  // Best effort, and not awaited: the socket opens meanwhile (a new device's first connection
  // would otherwise wait for a key pair made, two commits and a request). A public key matters
  // only at the next rotation; a failure is retried at the next connection.
  if (check.ok && check.keyId !== undefined && seen) {
    const server = seen;
    registrations = registrations.then(() => afterGoodCheck(server, keyring, exclusive, api, deviceId)).catch((error) => console.warn("CoBrain: key registration failed", error));
  }
  return check;
}

/**
 * The registrations after good checks, one at a time (per worker): two at once, after a quick
 * reconnection, could each make a key pair and register the one that is not kept.
 */
let registrations: Promise<void> = Promise.resolve();

/** Resolves once the registrations started so far are done (for tests). */
export function registrationsSettled(): Promise<void> {
  return registrations;
}
