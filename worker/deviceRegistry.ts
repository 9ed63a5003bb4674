/**
 * The user's devices as the server knows them, in the UserLog's storage: the authority for
 * revocation (a revoked device's token is refused even before it expires), each device's refresh
 * credential (only its hash is kept; it rotates on every use, and a spent one coming back means
 * it was copied, so the device is revoked), and the security alerts the user's devices show.
 */
import type { DeviceRecord, SecurityAlert } from "../shared/api";
import { REFRESH_REUSE_MEMORY_MS, REFRESH_SECRET_BYTES, SECURITY_ALERTS_KEPT } from "../shared/constants";
import type { SqlExec } from "./sqlStore";

export type { DeviceRecord };

export const DEVICE_REGISTRY_SQL = `
  CREATE TABLE IF NOT EXISTS devices (
    device_id TEXT PRIMARY KEY,
    name TEXT NOT NULL DEFAULT '',
    platform TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    revoked_at INTEGER
  );
`;

export const REFRESH_SQL = `
  CREATE TABLE IF NOT EXISTS refresh_current (device_id TEXT PRIMARY KEY, hash TEXT NOT NULL, issued_at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS refresh_spent (hash TEXT PRIMARY KEY, device_id TEXT NOT NULL, spent_at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS security_alerts (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, device_id TEXT NOT NULL, message TEXT NOT NULL);
`;

export type RotateResult = { ok: true; secret: string } | { ok: false; reused: boolean };

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

function newSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(REFRESH_SECRET_BYTES));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** Names come from users; keep them printable and short. */
const cleanName = (name: string) => name.replace(/[\u0000-\u001f]/g, "").trim().slice(0, 60);

export class DeviceRegistry {
  constructor(private readonly sql: SqlExec) {}

  isRevoked(deviceId: string): boolean {
    const row = this.sql.exec("SELECT revoked_at FROM devices WHERE device_id = ?", deviceId).toArray()[0];
    return row !== undefined && row.revoked_at !== null;
  }

  /** Records that the device was seen; registers it on first contact (e.g. a CLI-minted token). */
  touch(deviceId: string, details: { name?: string; platform?: string } = {}, now = Date.now()): void {
    this.sql.exec(
      `INSERT INTO devices (device_id, name, platform, created_at, last_seen) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (device_id) DO UPDATE SET last_seen = excluded.last_seen,
         name = CASE WHEN excluded.name != '' THEN excluded.name ELSE devices.name END,
         platform = CASE WHEN excluded.platform != '' THEN excluded.platform ELSE devices.platform END`,
      deviceId,
      cleanName(details.name ?? ""),
      cleanName(details.platform ?? ""),
      now,
      now,
    );
  }

  list(): DeviceRecord[] {
    return this.sql
      .exec("SELECT device_id, name, platform, created_at, last_seen, revoked_at FROM devices ORDER BY last_seen DESC")
      .toArray()
      .map((r) => ({
        deviceId: String(r.device_id),
        name: String(r.name),
        platform: String(r.platform),
        createdAt: Number(r.created_at),
        lastSeen: Number(r.last_seen),
        revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
      }));
  }

  /** Returns false when there is no such device. */
  rename(deviceId: string, name: string): boolean {
    return this.sql.exec("UPDATE devices SET name = ? WHERE device_id = ?", cleanName(name), deviceId).rowsWritten > 0;
  }

  /** Ends the device: its token and its refresh credential are refused from now on. */
  revoke(deviceId: string, now = Date.now()): boolean {
    this.sql.exec("DELETE FROM refresh_current WHERE device_id = ?", deviceId);
    return this.sql.exec("UPDATE devices SET revoked_at = COALESCE(revoked_at, ?) WHERE device_id = ?", now, deviceId).rowsWritten > 0;
  }

  hasRefresh(deviceId: string): boolean {
    return this.sql.exec("SELECT 1 FROM refresh_current WHERE device_id = ?", deviceId).toArray().length > 0;
  }

  /** A new refresh credential for the device (replacing any it had); the secret leaves only once. */
  async issueRefresh(deviceId: string, now = Date.now()): Promise<string> {
    const secret = newSecret();
    const hash = await sha256Hex(secret);
    this.sql.exec(
      "INSERT INTO refresh_current (device_id, hash, issued_at) VALUES (?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET hash = excluded.hash, issued_at = excluded.issued_at",
      deviceId,
      hash,
      now,
    );
    return secret;
  }

  /**
   * Spends the device's refresh credential for a new one. A credential spent before (or of a
   * revoked device) fails; `reused` says it was one of this device's spent ones.
   */
  async rotateRefresh(deviceId: string, presented: string, now = Date.now()): Promise<RotateResult> {
    const hash = await sha256Hex(presented);
    this.sql.exec("DELETE FROM refresh_spent WHERE spent_at < ?", now - REFRESH_REUSE_MEMORY_MS);
    const current = this.sql.exec("SELECT hash FROM refresh_current WHERE device_id = ?", deviceId).toArray()[0];
    if (current && current.hash === hash && !this.isRevoked(deviceId)) {
      this.sql.exec("INSERT OR IGNORE INTO refresh_spent (hash, device_id, spent_at) VALUES (?, ?, ?)", hash, deviceId, now);
      return { ok: true, secret: await this.issueRefresh(deviceId, now) };
    }
    const spent = this.sql.exec("SELECT 1 FROM refresh_spent WHERE hash = ? AND device_id = ?", hash, deviceId).toArray().length > 0;
    return { ok: false, reused: spent };
  }

  recordAlert(deviceId: string, message: string, now = Date.now()): void {
    this.sql.exec("INSERT INTO security_alerts (at, device_id, message) VALUES (?, ?, ?)", now, deviceId, message);
    this.sql.exec("DELETE FROM security_alerts WHERE id <= (SELECT max(id) FROM security_alerts) - ?", SECURITY_ALERTS_KEPT);
  }

  alerts(): SecurityAlert[] {
    return this.sql
      .exec("SELECT id, at, device_id, message FROM security_alerts ORDER BY id DESC")
      .toArray()
      .map((r) => ({ id: Number(r.id), at: Number(r.at), deviceId: String(r.device_id), message: String(r.message) }));
  }

  nameOf(deviceId: string): string {
    const row = this.sql.exec("SELECT name FROM devices WHERE device_id = ?", deviceId).toArray()[0];
    return row && row.name ? String(row.name) : deviceId;
  }
}
