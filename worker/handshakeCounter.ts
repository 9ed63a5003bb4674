/**
 * Sync handshakes per device, counted in the UserLog's storage (so the count survives eviction
 * and hibernation): the server's bound on reconnect loops. A device past
 * MAX_SYNC_HANDSHAKES_PER_MINUTE in the current minute is told to wait; the counts are readable
 * at `/api/sync/handshakes`, so a test can check at the server how often a client reconnects.
 */
import type { ApiHandshakeCount } from "../shared/api";
import { MAX_SYNC_HANDSHAKES_PER_MINUTE } from "../shared/constants";
import type { SqlExec } from "./sqlStore";

export const HANDSHAKE_COUNTER_SQL = `
  CREATE TABLE IF NOT EXISTS handshakes (
    device_id TEXT PRIMARY KEY,
    minute INTEGER NOT NULL,
    in_minute INTEGER NOT NULL,
    total INTEGER NOT NULL
  );
`;

const MINUTE_MS = 60_000;

export class HandshakeCounter {
  constructor(private readonly sql: SqlExec) {}

  /**
   * Counts one handshake of `deviceId` (refused ones too, so a loop stays refused) and says
   * whether it is within the limit. Fixed one-minute windows: one row per device, one write.
   */
  count(deviceId: string, now = Date.now()): boolean {
    const minute = Math.floor(now / MINUTE_MS);
    const row = this.sql
      .exec(
        `INSERT INTO handshakes (device_id, minute, in_minute, total) VALUES (?, ?, 1, 1)
         ON CONFLICT (device_id) DO UPDATE SET
           in_minute = CASE WHEN handshakes.minute = excluded.minute THEN handshakes.in_minute + 1 ELSE 1 END,
           minute = excluded.minute,
           total = handshakes.total + 1
         RETURNING in_minute`,
        deviceId,
        minute,
      )
      .toArray()[0];
    return Number(row?.in_minute ?? 1) <= MAX_SYNC_HANDSHAKES_PER_MINUTE;
  }

  /** Each device's handshakes in the current minute and in all. */
  list(now = Date.now()): ApiHandshakeCount[] {
    const minute = Math.floor(now / MINUTE_MS);
    return this.sql
      .exec("SELECT device_id, minute, in_minute, total FROM handshakes ORDER BY device_id")
      .toArray()
      .map((row) => ({
        deviceId: String(row.device_id),
        thisMinute: Number(row.minute) === minute ? Number(row.in_minute) : 0,
        total: Number(row.total),
      }));
  }
}
