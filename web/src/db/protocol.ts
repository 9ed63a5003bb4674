/**
 * Messages between the main thread (web/src/db), its database worker (web/src/worker) and the
 * owner tab's worker. Both threads import this file: types, and the one guard that routes a request.
 * Everything here is structured-cloneable (BigInt and Uint8Array included).
 */
import type { SyncStatus } from "../../../shared/syncStatus";

/** A value as SQLite returns it: INTEGER beyond 2^53 as BigInt, BLOB as Uint8Array. */
export type SqlValue = null | number | bigint | string | Uint8Array;
/** What a statement may be given: booleans are stored as 0/1, undefined as NULL. */
export type SqlParam = SqlValue | boolean | undefined;

/** Drizzle sqlite-proxy's four result shapes. */
export type Method = "all" | "get" | "run" | "values";

export interface SqlStatement {
  sql: string;
  params: SqlParam[];
  method: Method;
}

/** Work for the database itself, run by the owner's DatabaseHost. */
export type DbRequest =
  | { kind: "query"; statement: SqlStatement }
  /** Runs every statement in one SQLite transaction: all succeed or none. */
  | { kind: "batch"; statements: SqlStatement[] }
  /** One of the worker's named reads (db-worker/reads.ts; DbClient.read types it); answers a `ReadResult`. */
  | { kind: "read"; name: string; args: unknown };

/** A named read's value and the tables it read (what a live query watches). */
export interface ReadResult<T = unknown> {
  value: T;
  tables: string[];
}

/** Work for the owner's sync client. */
export type SyncCommand =
  /** Stores the device token (and server) and starts syncing; the token never leaves this device. */
  | { kind: "signIn"; token: string; serverUrl: string; refresh?: string }
  /** Revokes this device on the server and forgets its credentials; local data stays unless `erase`. */
  | { kind: "signOut"; erase?: boolean }
  /** The account this device belongs to (kept after sign-out), or null. */
  | { kind: "account" }
  /**
   * Erases this device's database (a new file: new site id, no notes, no settings) and signs in
   * to another account on it, so the two accounts' notes never mix.
   */
  | { kind: "switchAccount"; token: string; serverUrl: string; refresh?: string }
  /** The account key on this device: get it, show its phrase, rotate it (web/src/sync/keyCommands.ts). */
  | { kind: "accountKey"; command: AccountKeyCommand }
  /** The key entity ids are derived with now, hex (shared/ids.ts): the account's, or this device's until it has it. */
  | { kind: "entityIdKey" }
  /** This device's current account key, hex, or null (for moving it to another device; issue 14). */
  | { kind: "exportAccountKey" }
  /** Stores an account key on this device (from another device) and syncs with it. */
  | { kind: "adoptAccountKey"; key: ExportedAccountKey }
  /** Starts (`on`) or stops the sync path's timeline, answering the marks so far (web/src/db-worker/trace.ts; benchmarks). */
  | { kind: "trace"; on: boolean }
  /** Calls the sync server's `/api` with this device's token (which stays in the worker). */
  | { kind: "api"; method: "GET" | "POST" | "PATCH" | "DELETE"; path: string; body?: unknown };

/** What the page may ask about the account key; the answers are AccountKeyAnswer's. */
export type AccountKeyCommand =
  /** Checks a secret (from the recovery phrase or a QR link) against the account's key id, keeps it, syncs. */
  | { action: "adopt"; secret: Uint8Array }
  /** The current generation and whether its phrase was confirmed as written down; null without a key. */
  | { action: "status" }
  /** The current secret, to show as the recovery phrase or put in a QR link's fragment; null without a key. */
  | { action: "secret" }
  /** The person wrote down this generation's phrase. */
  | { action: "noted"; generation: number }
  /** Makes the next generation, re-encrypts the live state and replaces the server's log (after a revoke). */
  | { action: "rotate" };

export interface AccountKeyStatus {
  generation: number;
  phraseNoted: boolean;
}

/** An account key as it moves between devices (by the recovery phrase or QR link; here as hex). */
export interface ExportedAccountKey {
  generation: number;
  secret: string;
  idKey: string;
}

/** What a tab asks of the owner's worker; the worker entry routes each kind to its handler. */
export type WorkerRequest = DbRequest | SyncCommand;

export function isDbRequest(request: WorkerRequest): request is DbRequest {
  return request.kind === "query" || request.kind === "batch" || request.kind === "read";
}

export interface StatementResult {
  rows: SqlValue[][];
  /** App tables the statement reads (for live queries). */
  tables: string[];
}

export type DbResponse = { ok: true; value: StatementResult | StatementResult[] | unknown } | { ok: false; error: string };

/** Where this origin's database lives. */
export type StorageKind = "opfs" | "idb" | "memory";

export interface DbStatus {
  /** "owner": this tab's worker holds the database; "follower": another tab's does. */
  role: "starting" | "owner" | "follower";
  storage?: StorageKind;
  /** Why a weaker storage was chosen, in words for the user. */
  fallbackReason?: string;
  /** The database cannot be used at all, in words for the user. */
  error?: string;
}

export type ToWorker =
  | { type: "init"; storage?: StorageKind }
  | { type: "request"; id: number; request: WorkerRequest }
  /** The page is being hidden or unloaded: release the database so the next page opens fast. */
  | { type: "suspend" }
  | { type: "resume" }
  /** The page's window went offline or online. */
  | { type: "network"; online: boolean };

export type FromWorker =
  | { type: "response"; id: number; response: DbResponse }
  | { type: "changed"; tables: string[] }
  | { type: "status"; status: DbStatus }
  | { type: "sync"; status: SyncStatus };

/** Between tabs' workers over the BroadcastChannel. */
export type ChannelMessage =
  | { t: "req"; from: string; id: number; request: WorkerRequest }
  | { t: "res"; to: string; id: number; response: DbResponse }
  | { t: "changed"; tables: string[] }
  /** Sent by a new owner once its database is open; followers re-send what is unanswered. */
  | { t: "owner"; status: DbStatus; sync: SyncStatus }
  | { t: "sync"; status: SyncStatus }
  /** Sent by a starting worker to learn whether an owner is already serving. */
  | { t: "hello" };
