/**
 * The user's devices as the server knows them, in the UserLog's storage: the authority for
 * revocation (a revoked device's token is refused even before it expires).
 */
import type { DeviceRecord } from "../shared/api";
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

  revoke(deviceId: string, now = Date.now()): boolean {
    return this.sql.exec("UPDATE devices SET revoked_at = COALESCE(revoked_at, ?) WHERE device_id = ?", now, deviceId).rowsWritten > 0;
  }
}
