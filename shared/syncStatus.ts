/** What the sync indicator shows. It must never claim "synced" while changes are unacknowledged. */
export type SyncState = "signed-out" | "offline" | "connecting" | "syncing" | "synced" | "error";

export interface SyncStatus {
  state: SyncState;
  /** When the server last acknowledged everything and nothing was left to send (ms). */
  lastSyncedAt?: number;
  /** Local changes the server has not acknowledged yet. */
  waiting?: boolean;
  /** In words, for "offline" (why) and "error" (what to do). */
  reason?: string;
  /** The close code behind an error, if any. */
  code?: number;
  userId?: string;
  deviceId?: string;
  serverUrl?: string;
}

/** The claims of a device token that the app reads (it never verifies them: the server does). */
export interface TokenClaims {
  userId: string;
  deviceId: string;
  expiresAt?: number;
}

/** Reads `sub`, `did` and `exp` from a JWT without verifying it; undefined if it is not one. */
export function readTokenClaims(token: string): TokenClaims | undefined {
  const parts = token.trim().split(".");
  if (parts.length !== 3) return undefined;
  try {
    const json = atob(parts[1]!.replaceAll("-", "+").replaceAll("_", "/"));
    const payload = JSON.parse(json) as { sub?: unknown; did?: unknown; exp?: unknown };
    if (typeof payload.sub !== "string" || typeof payload.did !== "string") return undefined;
    return { userId: payload.sub, deviceId: payload.did, expiresAt: typeof payload.exp === "number" ? payload.exp * 1000 : undefined };
  } catch {
    return undefined;
  }
}
