import { refusalOfClose } from "./syncRefusals";

/**
 * What the sync indicator shows. It must never claim "synced" while changes are unacknowledged,
 * nor "offline" while the server is reachable but refusing:
 * - "offline": the network or the server cannot be reached, and nothing else;
 * - "refused": the server refused with a reason and the device retries (bounded);
 * - "error": refused for good until the person acts (sign in again, update the app);
 * - "held": everything else is synced, but some changes cannot be sent and are held aside.
 */
export type SyncState = "signed-out" | "offline" | "connecting" | "syncing" | "synced" | "held" | "refused" | "error";

/** A local change that cannot be sent (over the frame limit): held aside, shown, never dropped. */
export interface HeldChange {
  table: string;
  /** The row's id (its first primary key column). */
  id: string;
  column: string;
  bytes: number;
  /** The note's title, when it is a note. */
  title?: string;
}

export interface SyncStatus {
  state: SyncState;
  /** When the server last acknowledged everything and nothing was left to send (ms). */
  lastSyncedAt?: number;
  /** Local changes the server has not acknowledged yet. */
  waiting?: boolean;
  /** The server's or the transport's own words, for "offline", "refused" and "error". */
  reason?: string;
  /** The problem in the app's words, for "refused" and "error". */
  problem?: string;
  /** What the person can do, for "refused", "error" and "held". */
  action?: string;
  /** Changes held aside (see HeldChange), shown whatever the state. */
  held?: HeldChange[];
  /** The close code behind an error, if any. */
  code?: number;
  userId?: string;
  deviceId?: string;
  serverUrl?: string;
  /** A first sync under way: notes received of the server's count of the notes alive in its log. */
  progress?: { received: number; total: number };
  /** A new device receiving the account's copy (web/src/sync/accountCopy.ts): bytes of its size. */
  copy?: { received: number; total: number };
}

/** The sync connection as the transport reports it. */
export type TransportState =
  | { kind: "connecting" }
  | { kind: "open" }
  /** Not connected; trying again at `retryAt` (or when the browser is back online). */
  | { kind: "waiting"; retryAt: number; reason: string; code?: number }
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
  /** Changes sent, but the server has not acknowledged storing them yet (their Ping has no Pong). */
  unacknowledged: boolean;
  /**
   * Another Ping without its Pong (the end of the server's backlog, a heartbeat): the server may
   * still be sending. Not "changes waiting": nothing of this device's waits on it.
   */
  answerPending: boolean;
  /** Incoming changes are being written. */
  applying: boolean;
  /** When everything was last acknowledged with nothing left to send (ms). */
  lastSyncedAt?: number;
  /** Local changes held aside because they cannot be sent. */
  held?: HeldChange[];
}

/** What to do about held changes. */
export const HELD_ACTION = "Shorten or split it; everything else keeps syncing";

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
  const held = facts.held?.length ? { held: facts.held } : {};
  if (transport.kind === "failed") {
    const refusal = refusalOfClose(transport.code);
    const meaning = refusal ? { problem: refusal.problem, action: refusal.action } : {};
    return { ...base, state: "error", reason: transport.reason, code: transport.code, ...meaning, waiting, ...held };
  }
  if (transport.kind === "waiting") {
    const refusal = transport.code === undefined ? undefined : refusalOfClose(transport.code);
    if (refusal) {
      return { ...base, state: "refused", reason: transport.reason, code: transport.code, problem: refusal.problem, action: refusal.action, waiting, ...held };
    }
    return { ...base, state: "offline", reason: transport.reason, waiting, ...held };
  }
  if (transport.kind !== "open" || !facts.streaming) return { ...base, state: "connecting", waiting, ...held };
  if (waiting || facts.applying || facts.answerPending) return { ...base, state: "syncing", waiting, ...held };
  const lastSyncedAt = previous.state === "synced" || previous.state === "held" ? facts.lastSyncedAt : now;
  if (facts.held?.length) return { ...base, lastSyncedAt, state: "held", waiting: false, action: HELD_ACTION, ...held };
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
