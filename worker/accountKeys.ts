/**
 * What the server keeps of an account's keys, in the UserLog's storage, none of it usable by the
 * server: each generation's key id (one-way from its secret), the idKey wrapped under that
 * generation's secret (so a device holding the secret, from the phrase or a QR link, gets the
 * idKey), each device's ECDH public key, and a rotated secret wrapped for each remaining device
 * (so a device that was offline during a rotation fetches it when it reconnects).
 */
import type { ApiAccountKey, ApiDeviceKey } from "../shared/api";
import type { SqlExec } from "./sqlStore";

export const ACCOUNT_KEYS_SQL = `
  CREATE TABLE IF NOT EXISTS key_generations (generation INTEGER PRIMARY KEY, key_id TEXT NOT NULL UNIQUE, wrapped_id_key TEXT NOT NULL, created_at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS device_public_keys (device_id TEXT PRIMARY KEY, public_key TEXT NOT NULL, registered_at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS device_key_wraps (device_id TEXT NOT NULL, generation INTEGER NOT NULL, wrapped TEXT NOT NULL, PRIMARY KEY (device_id, generation));
`;

/** Longest wrapped key or public key kept (a P-256 JWK or wrap is a few hundred bytes). */
export const MAX_KEY_TEXT_CHARS = 2_000;

export class AccountKeys {
  constructor(private readonly sql: SqlExec) {}

  current(): { generation: number; keyId: string; wrappedIdKey: string } | undefined {
    const row = this.sql.exec("SELECT generation, key_id, wrapped_id_key FROM key_generations ORDER BY generation DESC LIMIT 1").toArray()[0];
    return row ? { generation: Number(row.generation), keyId: String(row.key_id), wrappedIdKey: String(row.wrapped_id_key) } : undefined;
  }

  /** The account key as a device sees it: the current generation, what it needs to adopt it. */
  describe(deviceId: string): ApiAccountKey | undefined {
    const current = this.current();
    if (!current) return undefined;
    const wrap = this.sql.exec("SELECT wrapped FROM device_key_wraps WHERE device_id = ? AND generation = ?", deviceId, current.generation).toArray()[0];
    const older = this.sql.exec("SELECT key_id FROM key_generations WHERE generation < ? ORDER BY generation", current.generation).toArray();
    return {
      ...current,
      olderKeyIds: older.map((r) => String(r.key_id)),
      wrappedForDevice: wrap ? String(wrap.wrapped) : null,
    };
  }

  /** The first key of the account; false when the account already has one (compare-and-set). */
  init(keyId: string, wrappedIdKey: string, now = Date.now()): boolean {
    if (this.current()) return false;
    this.sql.exec("INSERT INTO key_generations (generation, key_id, wrapped_id_key, created_at) VALUES (0, ?, ?, ?)", keyId, wrappedIdKey, now);
    return true;
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
    const current = this.current();
    if (!current || current.keyId !== expectedKeyId) return "the account key changed meanwhile (another device rotated it)";
    if (generation !== current.generation + 1) return `the next key generation is ${current.generation + 1}, not ${generation}`;
    if (this.sql.exec("SELECT 1 FROM key_generations WHERE key_id = ?", keyId).toArray().length > 0) return "that key id was used before";
    const missing = this.deviceKeys().filter((d) => !(d.deviceId in wraps));
    if (missing.length > 0) return `a device joined meanwhile (${missing[0]!.deviceId}); fetch the devices again`;
    return undefined;
  }

  /** Records the new generation and its wraps (the caller holds the transaction and checked first). */
  rotate(generation: number, keyId: string, wrappedIdKey: string, wraps: Record<string, string>, now = Date.now()): void {
    this.sql.exec("INSERT INTO key_generations (generation, key_id, wrapped_id_key, created_at) VALUES (?, ?, ?, ?)", generation, keyId, wrappedIdKey, now);
    const allowed = new Set(this.deviceKeys().map((d) => d.deviceId));
    for (const [deviceId, wrapped] of Object.entries(wraps)) {
      // A wrap for a revoked or unknown device is never stored: it must get nothing.
      if (allowed.has(deviceId)) this.sql.exec("INSERT INTO device_key_wraps (device_id, generation, wrapped) VALUES (?, ?, ?)", deviceId, generation, wrapped);
    }
    this.sql.exec("DELETE FROM device_key_wraps WHERE generation < ?", generation);
  }
}
