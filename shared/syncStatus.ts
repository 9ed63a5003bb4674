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

/** The sync connection as the transport reports it. */
export type TransportState =
  | { kind: "connecting" }
  | { kind: "open" }
  /** Not connected; trying again at `retryAt` (or when the browser is back online). */
  | { kind: "waiting"; retryAt: number; reason: string }
  /** Refused for good until something changes (sign in again, update the app). */
  | { kind: "failed"; code: number; reason: string }
  | { kind: "closed" };

/** Everything the indicator's status follows from, as the sync client tracks it. */
export interface SyncFacts {
  /** Who is syncing; undefined when signed out. */
  session?: { userId: string; deviceId: string; serverUrl: string };
  transport: TransportState;
  /** The server accepted this device's presence on the current socket and streams to it. */
  streaming: boolean;
  /** Local writes made since the last pull for a push. */
  localChanges: boolean;
  /** The last pull found changes that have not all gone out on a socket (cut at its limit, or unsent). */
  unsent: boolean;
  /** Sent, but the server has not acknowledged storing it yet (a Ping without its Pong). */
  unacknowledged: boolean;
  /** Incoming changes are being written. */
  applying: boolean;
  /** When everything was last acknowledged with nothing left to send (ms). */
  lastSyncedAt?: number;
}

/**
 * The status to show, from the facts and the status shown until now. "synced" only when the
 * socket streams, nothing waits to go out, everything sent was acknowledged and nothing is being
 * applied; entering it stamps `lastSyncedAt` with `now`.
 */
export function deriveSyncStatus(facts: SyncFacts, previous: SyncStatus, now: number): SyncStatus {
  const { session, transport } = facts;
  if (!session) return { state: "signed-out", lastSyncedAt: facts.lastSyncedAt };
  const base = { lastSyncedAt: facts.lastSyncedAt, userId: session.userId, deviceId: session.deviceId, serverUrl: session.serverUrl };
  const waiting = facts.localChanges || facts.unsent || facts.unacknowledged;
  if (transport.kind === "failed") return { ...base, state: "error", reason: transport.reason, code: transport.code, waiting };
  if (transport.kind === "waiting") return { ...base, state: "offline", reason: transport.reason, waiting };
  if (transport.kind !== "open" || !facts.streaming) return { ...base, state: "connecting", waiting };
  if (waiting || facts.applying) return { ...base, state: "syncing", waiting };
  const lastSyncedAt = previous.state === "synced" ? facts.lastSyncedAt : now;
  return { ...base, lastSyncedAt, state: "synced", waiting: false };
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
