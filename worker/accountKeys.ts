/**
 * What the server keeps of an account's keys beyond the current key id (worker/accountKey.ts),
 * in the UserLog's storage, none of it usable by the server: the idKey wrapped under each
 * generation's secret (so a device holding the secret, from the phrase or a QR link, gets the
 * idKey), each device's ECDH public key, and a rotated secret wrapped for each remaining device
 * (so a device that was offline during a rotation fetches it when it reconnects).
 */
import type { ApiAccountKey, ApiDeviceKey } from "../shared/api";
import type { AccountKeyStore } from "./accountKey";
import type { SqlExec } from "./sqlStore";

export const ACCOUNT_KEYS_SQL = `
  CREATE TABLE IF NOT EXISTS wrapped_id_keys (key_id TEXT PRIMARY KEY, generation INTEGER NOT NULL, wrapped TEXT NOT NULL, created_at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS device_public_keys (device_id TEXT PRIMARY KEY, public_key TEXT NOT NULL, registered_at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS device_key_wraps (device_id TEXT NOT NULL, generation INTEGER NOT NULL, wrapped TEXT NOT NULL, PRIMARY KEY (device_id, generation));
`;

/** Longest wrapped key or public key kept (a P-256 JWK or wrap is a few hundred bytes). */
export const MAX_KEY_TEXT_CHARS = 2_000;

export class AccountKeys {
  constructor(
    private readonly sql: SqlExec,
    private readonly accountKey: AccountKeyStore,
  ) {}

  /** The account key as a device sees it: the current generation and what it needs to adopt it. */
  describe(deviceId: string): Omit<ApiAccountKey, "plaintextLog"> {
    const current = this.accountKey.current();
    if (!current) return { keyId: null, generation: null, wrappedIdKey: null, olderKeyIds: [], wrappedForDevice: null };
    const idKey = this.sql.exec("SELECT wrapped FROM wrapped_id_keys WHERE key_id = ?", current.keyId).toArray()[0];
    const wrap = this.sql.exec("SELECT wrapped FROM device_key_wraps WHERE device_id = ? AND generation = ?", deviceId, current.generation).toArray()[0];
    const older = this.sql.exec("SELECT key_id FROM wrapped_id_keys WHERE generation < ? ORDER BY generation", current.generation).toArray();
    return {
      ...current,
      wrappedIdKey: idKey ? String(idKey.wrapped) : null,
      olderKeyIds: older.map((r) => String(r.key_id)),
      wrappedForDevice: wrap ? String(wrap.wrapped) : null,
    };
  }

  /**
   * The idKey wrapped under the current key, stored once by the device that made the key; false
   * when `keyId` is not current or a wrap is already stored (set once: a device cannot swap it).
   */
  storeIdKey(keyId: string, wrapped: string, now = Date.now()): boolean {
    const current = this.accountKey.current();
    if (!current || current.keyId !== keyId) return false;
    return this.sql.exec("INSERT INTO wrapped_id_keys (key_id, generation, wrapped, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (key_id) DO NOTHING", keyId, current.generation, wrapped, now).rowsWritten > 0;
  }

  registerDevice(deviceId: string, publicKey: string, now = Date.now()): void {
    this.sql.exec(
      "INSERT INTO device_public_keys (device_id, public_key, registered_at) VALUES (?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET public_key = excluded.public_key, registered_at = excluded.registered_at",
      deviceId,
      publicKey,
      now,
    );
  }

  /** Public keys of the devices that are not revoked: the ones a rotation wraps the new secret for. */
  deviceKeys(): ApiDeviceKey[] {
    return this.sql
      .exec(
        `SELECT k.device_id, k.public_key FROM device_public_keys k JOIN devices d ON d.device_id = k.device_id
         WHERE d.revoked_at IS NULL ORDER BY k.device_id`,
      )
      .toArray()
      .map((r) => ({ deviceId: String(r.device_id), publicKey: String(r.public_key) }));
  }

  /** Why a rotation cannot be accepted as sent, or undefined; call inside the rotation's transaction. */
  rotationProblem(expectedKeyId: string, generation: number, keyId: string, wraps: Record<string, string>): string | undefined {
    const current = this.accountKey.current();
    if (!current || current.keyId !== expectedKeyId) return "the account key changed meanwhile (another device rotated it)";
    if (generation !== current.generation + 1) return `the next key generation is ${current.generation + 1}, not ${generation}`;
    if (keyId === current.keyId || this.sql.exec("SELECT 1 FROM wrapped_id_keys WHERE key_id = ?", keyId).toArray().length > 0) return "that key id was used before";
    const missing = this.deviceKeys().filter((d) => !(d.deviceId in wraps));
    if (missing.length > 0) return `a device joined meanwhile (${missing[0]!.deviceId}); fetch the devices again`;
    return undefined;
  }

  /** Makes the new generation current with its wraps (the caller holds the transaction and checked first). */
  rotate(generation: number, keyId: string, wrappedIdKey: string, wraps: Record<string, string>, now = Date.now()): void {
    this.sql.exec("UPDATE account_key SET key_id = ?, generation = ?, set_at = ? WHERE one = 1", keyId, generation, now);
    this.sql.exec("INSERT INTO wrapped_id_keys (key_id, generation, wrapped, created_at) VALUES (?, ?, ?, ?)", keyId, generation, wrappedIdKey, now);
    const allowed = new Set(this.deviceKeys().map((d) => d.deviceId));
    for (const [deviceId, wrapped] of Object.entries(wraps)) {
      // A wrap for a revoked or unknown device is never stored: it must get nothing.
      if (allowed.has(deviceId)) this.sql.exec("INSERT INTO device_key_wraps (device_id, generation, wrapped) VALUES (?, ?, ?)", deviceId, generation, wrapped);
    }
    this.sql.exec("DELETE FROM device_key_wraps WHERE generation < ?", generation);
  }
}
