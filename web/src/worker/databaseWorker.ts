/**
 * The database worker's entry point, and the only place that wires the database and sync together.
 *
 * Where code runs:
 * - web/src/db/         main thread: DbClient, the Drizzle proxy, live queries; `protocol.ts` holds
 *                       the messages both threads share;
 * - web/src/db-worker/  worker thread: the SQLite connection and storage backends, migrations,
 *                       the search index check, the DatabaseHost that runs database requests;
 * - web/src/sync/       worker thread: the sync client, its ws-client adapter (SyncDb) and transport;
 * - web/src/api/        either thread: the typed client of the server's /api, the link claim and
 *                       the device's name (the main thread's calls are forwarded to the worker,
 *                       which holds the token);
 * - web/src/worker/     this file: owner election, tab-to-tab forwarding, and the routing of each
 *                       request to the DatabaseHost (database requests) or the SyncClient (sync
 *                       commands). sync/ builds on db-worker/'s connection; db-worker/ knows
 *                       nothing of sync.
 *
 * Every tab starts one; the worker that wins the `navigator.locks` election
 * opens the database (OPFS allows one connection) and serves all tabs. The others forward their
 * tab's requests over a BroadcastChannel and relay the owner's answers and change events.
 * When the owner's tab closes, its lock is released and a waiting worker takes over; followers
 * re-send whatever was still unanswered.
 */
/// <reference lib="webworker" />
import { takeTrace, traceMark } from "../db-worker/trace";
import { ACCEPTED_REQUESTS_REMEMBERED, DB_CHANNEL, DB_OWNER_LOCK, SEARCH_INDEX_CHECK_DELAY_MS, SUSPEND_GRACE_MS } from "../../../shared/constants";
import type { SyncStatus } from "../../../shared/syncStatus";
import { READS } from "../db-worker/reads";
import { isDbRequest, type ChannelMessage, type DbResponse, type DbStatus, type FromWorker, type StorageKind, type SyncCommand, type ToWorker, type WorkerRequest } from "../db/protocol";
import { DatabaseHost } from "../db-worker/host";
import { prepareDatabase } from "../db-worker/prepare";
import { checkSearchIndex } from "../db-worker/searchIndex";
import { eraseStorage, openBest, openOpfs, type OpenedDatabase } from "../db-worker/sqlite/backends";
import { adoptCopy, isNewDatabase, privateRowsOf, restorePrivateRows, type CopyMaking, type PrivateRow } from "../db-worker/snapshot";
import { scrubOffThread } from "./copyOffThread";
import { runAccountKeyCommand } from "../sync/keyCommands";
import { SyncClient } from "../sync/syncClient";
import { errorMessage } from "../../../shared/errorMessage";
import { CRR_TABLE_NAMES } from "../../../shared/schema";

declare const self: DedicatedWorkerGlobalScope;

const workerId = crypto.randomUUID();
const channel = new BroadcastChannel(DB_CHANNEL);

let preferredStorage: StorageKind | undefined;
let host: DatabaseHost | undefined;
let sync: SyncClient | undefined;
/** The owner's sync status as last heard (followers relay it to their tab). */
let syncStatus: SyncStatus = { state: "signed-out" };
let opened: OpenedDatabase | undefined;
let ownerStatus: DbStatus | undefined;
/** Releases the owner lock; set while this worker holds it. */
let releaseLock: (() => void) | undefined;
let campaigning = false;
/** This tab's requests not yet answered by another tab's worker. */
const forwarded = new Map<number, WorkerRequest>();
/**
 * Other tabs' requests this owner has accepted, by "worker:id". Followers re-send unanswered
 * requests whenever they hear from an owner, so the owner must not run one twice.
 */
const accepted = new Set<string>();

const toMain = (message: FromWorker) => self.postMessage(message);
const broadcast = (message: ChannelMessage) => channel.postMessage(message);

function errorResponse(error: unknown): DbResponse {
  return { ok: false, error: errorMessage(error) };
}

function announceChanged(tables: string[]): void {
  toMain({ type: "changed", tables });
  broadcast({ t: "changed", tables });
}

function publishSync(status: SyncStatus): void {
  syncStatus = status;
  toMain({ type: "sync", status });
  broadcast({ t: "sync", status });
}

async function runSyncCommand(sync: SyncClient, command: SyncCommand): Promise<unknown> {
  switch (command.kind) {
    case "signIn":
      await sync.signIn(command.token, command.serverUrl, command.refresh);
      return null;
    case "signOut":
      throw new Error("signOut runs in execute(), which may erase the database");
    case "account":
      return (await sync.account()) ?? null;
    case "switchAccount":
      throw new Error("switchAccount runs in execute(), not on a sync client");
    case "api":
      return sync.api(command.method, command.path, command.body);
    case "accountKey":
      return runAccountKeyCommand(sync, command.command);
    case "entityIdKey":
      return sync.entityIdKey();
    case "exportAccountKey":
      return sync.exportAccountKey();
    case "adoptAccountKey":
      await sync.adoptAccountKey(command.key);
      return null;
    case "trace":
      return takeTrace(command.on);
  }
}

/** Runs a request on this (owner) worker: database requests on the host, sync commands on the client. */
async function execute(request: WorkerRequest): Promise<DbResponse> {
  try {
    if (request.kind === "switchAccount") {
      // The old account's server revokes this device (best effort: offline, it stays listed there
      // until revoked from another device); then nothing of the old account is left here.
      await sync!.signOut().catch(() => undefined);
      await eraseAndReopen();
      await sync!.signIn(request.token, request.serverUrl, request.refresh);
      return { ok: true, value: null };
    }
    if (request.kind === "signOut") {
      const result = await sync!.signOut();
      if (request.erase) await eraseAndReopen();
      return { ok: true, value: result };
    }
    if (!isDbRequest(request)) return { ok: true, value: await runSyncCommand(sync!, request) };
    const { value, changed } = await host!.handle(request);
    if (changed.length > 0) {
      traceMark("write committed");
      announceChanged(changed);
      sync?.notifyLocalChange();
    }
    return { ok: true, value };
  } catch (error) {
    return errorResponse(error);
  }
}

function submit(id: number, request: WorkerRequest): void {
  if (host) {
    void execute(request).then((response) => toMain({ type: "response", id, response }));
  } else {
    forwarded.set(id, request);
    broadcast({ t: "req", from: workerId, id, request });
  }
}

/** Opens the database as the owner; false (and followers told why) when it cannot be opened. */
async function becomeOwner(copy?: Uint8Array, privateRows?: readonly PrivateRow[]): Promise<boolean> {
  toMain({ type: "status", status: { role: "starting" } });
  try {
    const result = copy ? { opened: await openOpfs(copy), fallbackReason: undefined } : await openBest(preferredStorage);
    opened = result.opened;
    await prepareDatabase(opened.connection);
    // A device starting over after a copy failed to open gets its sign-in back before sync resumes.
    if (privateRows) await restorePrivateRows(opened.connection, privateRows);
    // Outside development builds a page cannot read or change the device's credentials.
    host = new DatabaseHost(opened.connection, announceChanged, { guardPrivate: !import.meta.env.DEV, reads: READS });
    const owned = host;
    // A new device starts from a copy of the account's database at most once per start of this worker.
    // Its copies for new devices: the file read while the connection is held, the rest off this thread.
    // (A browser without workers inside workers rebuilds it on this thread, which waits meanwhile.)
    const copyMaking: CopyMaking = opened.readFile ? { readFile: opened.readFile, scrub: typeof Worker === "function" ? scrubOffThread : undefined } : {};
    sync = new SyncClient((fn) => owned.exclusive(fn), publishSync, copyTried || opened.storage !== "opfs" ? undefined : adoptCopyAndReopen, copyMaking);
    ownerStatus = { role: "owner", storage: opened.storage, fallbackReason: result.fallbackReason };
  } catch (error) {
    await opened?.close().catch(() => undefined);
    opened = undefined;
    const failed: DbStatus = { role: "owner", error: errorMessage(error) };
    toMain({ type: "status", status: failed });
    broadcast({ t: "owner", status: { ...failed, role: "follower" }, sync: syncStatus });
    for (const [id] of forwarded) toMain({ type: "response", id, response: errorResponse(failed.error) });
    forwarded.clear();
    return false;
  }
  toMain({ type: "status", status: ownerStatus });
  broadcast({ t: "owner", status: { ...ownerStatus, role: "follower" }, sync: syncStatus });
  const mine = [...forwarded];
  forwarded.clear();
  for (const [id, request] of mine) submit(id, request);
  void sync.resume();
  const owned = host;
  setTimeout(() => checkSearchIndexOf(owned), SEARCH_INDEX_CHECK_DELAY_MS);
  return true;
}

/** Repairs a search index that drifted from the notes, then has open searches run again. */
function checkSearchIndexOf(owned: DatabaseHost | undefined): void {
  if (!owned || host !== owned) return; // the database was closed meanwhile
  owned.exclusive(checkSearchIndex).then(
    (result) => {
      // A rebuild writes only the index's own tables, which change events leave out.
      if (result === "rebuilt") announceChanged(["notes"]);
    },
    (error) => console.warn("CoBrain: the search index could not be checked", error),
  );
}

/** A lock request still waiting; aborted when the page goes away before it is granted. */
let waitingForLock: AbortController | undefined;

function campaign(): void {
  if (campaigning) return;
  campaigning = true;
  if (host || releaseLock) return; // resumed within the suspend grace period: still the owner
  if (!("locks" in navigator)) {
    // No Web Locks: no other tab can be coordinated with, so this one simply owns the database.
    void becomeOwner();
    return;
  }
  const abort = new AbortController();
  waitingForLock = abort;
  navigator.locks
    .request(DB_OWNER_LOCK, { signal: abort.signal }, async () => {
      waitingForLock = undefined;
      if (!campaigning) return; // the page left while this tab waited
      const held = new Promise<void>((resolve) => (releaseLock = resolve));
      // A database that cannot open is let go, so another tab can try; a page that left meanwhile too.
      if (!(await becomeOwner()) || !campaigning) {
        await closeOwned();
        return;
      }
      await held;
    })
    .catch(() => undefined); // aborted: the page went away first
  broadcast({ t: "hello" });
}

/** Closes the database and gives up ownership (the page is going away or into the bfcache). */
async function suspend(): Promise<void> {
  campaigning = false;
  waitingForLock?.abort();
  waitingForLock = undefined;
  if (!host) return; // not the owner, or still opening: the lock callback lets go when done
  // Saves the page flushed on its way out may still be arriving: keep serving them briefly.
  await new Promise((resolve) => setTimeout(resolve, SUSPEND_GRACE_MS));
  if (campaigning) return; // the page came back (bfcache) meanwhile
  await closeOwned();
}

async function closeOwned(): Promise<void> {
  const closing = host;
  host = undefined;
  // Hand waiting changes to the socket before it goes; the next owner pushes anything left.
  sync?.flush();
  await closing?.drain();
  sync?.stop();
  sync = undefined;
  await opened?.close().catch(() => undefined);
  opened = undefined;
  releaseLock?.();
  releaseLock = undefined;
}

/**
 * Starts this device over: stops sync, closes the database, deletes its storage and opens a new,
 * empty one (with a new cr-sqlite site id, so no server's cursor for the old one applies). The
 * owner lock stays held throughout; requests arriving meanwhile wait and run on the new database.
 */
async function eraseAndReopen(): Promise<void> {
  const closing = host;
  if (!closing || !opened) throw new Error("this tab does not hold the database; close the app's other windows and try again");
  host = undefined;
  sync?.stop();
  sync = undefined;
  await closing.drain();
  const storage = opened.storage;
  await opened.close();
  opened = undefined;
  await eraseStorage(storage);
  if (!(await becomeOwner())) throw new Error("the new, empty database could not be opened; reload the app");
  announceChanged(["notes"]);
}

/** A copy of the account's database was tried since this worker started (it is not tried twice). */
let copyTried = false;

/**
 * Makes a received copy of the account's database this device's (see db-worker/snapshot.ts).
 * From the start, requests wait (as during eraseAndReopen) and run on whichever database follows,
 * so no note can be written between the check that this device holds none and the erase. The copy
 * is checked and given this device's private rows in memory first: a bad copy, or a device that
 * holds changes after all, changes nothing and the requests run here. Then sync stops, the
 * database closes, its storage is erased and the copy opened in its place. If that fails, the
 * device starts over empty with its private rows back, and syncs change by change.
 */
async function adoptCopyAndReopen(received: Uint8Array, coveredSeq: number): Promise<void> {
  const closing = host;
  if (!closing || !opened || opened.storage !== "opfs") throw new Error("this tab does not hold the database");
  copyTried = true;
  host = undefined;
  let prepared: { file: Uint8Array; privateRows: PrivateRow[] };
  try {
    await closing.drain();
    prepared = await closing.exclusive(async (db) => {
      if (!(await isNewDatabase(db))) throw new Error("this device holds changes of its own");
      const privateRows = await privateRowsOf(db);
      return { file: await adoptCopy(db.sqliteApi, received, coveredSeq, privateRows), privateRows };
    });
  } catch (error) {
    host = closing; // nothing changed: serve on, starting with the requests that waited
    const waiting = [...forwarded];
    forwarded.clear();
    for (const [id, request] of waiting) submit(id, request);
    throw error;
  }
  traceMark("copy checked");
  sync?.stop();
  sync = undefined;
  await closing.drain();
  await opened.close();
  opened = undefined;
  await eraseStorage("opfs");
  if (await becomeOwner(prepared.file)) {
    traceMark("copy placed");
    announceChanged([...CRR_TABLE_NAMES]); // every replicated table came with the copy
    return;
  }
  console.warn("CoBrain: the copy of the account's database did not open here; syncing change by change instead");
  await eraseStorage("opfs").catch(() => undefined);
  if (!(await becomeOwner(undefined, prepared.privateRows))) throw new Error("the new, empty database could not be opened; reload the app");
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  switch (message.type) {
    case "init":
      preferredStorage = message.storage;
      campaign();
      break;
    case "request":
      submit(message.id, message.request);
      break;
    case "suspend":
      void suspend();
      break;
    case "resume":
      campaign();
      break;
    case "network":
      sync?.setOnline(message.online);
      break;
  }
};

channel.onmessage = (event: MessageEvent<ChannelMessage>) => {
  const message = event.data;
  switch (message.t) {
    case "req": {
      const key = `${message.from}:${message.id}`;
      if (!host || accepted.has(key)) break;
      if (accepted.size >= ACCEPTED_REQUESTS_REMEMBERED) accepted.delete(accepted.values().next().value!);
      accepted.add(key);
      void execute(message.request).then((response) => broadcast({ t: "res", to: message.from, id: message.id, response }));
      break;
    }
    case "res":
      if (message.to === workerId && forwarded.delete(message.id)) {
        toMain({ type: "response", id: message.id, response: message.response });
      }
      break;
    case "changed":
      toMain({ type: "changed", tables: message.tables });
      break;
    case "owner":
      if (host) break;
      toMain({ type: "status", status: message.status });
      toMain({ type: "sync", status: message.sync });
      if (message.status.error) {
        // That tab could not open the database: say why rather than leave requests hanging.
        for (const [id] of forwarded) toMain({ type: "response", id, response: errorResponse(message.status.error) });
        forwarded.clear();
      } else {
        for (const [id, request] of forwarded) broadcast({ t: "req", from: workerId, id, request });
      }
      break;
    case "sync":
      if (!host) toMain({ type: "sync", status: message.status });
      break;
    case "hello":
      if (host && ownerStatus) broadcast({ t: "owner", status: { ...ownerStatus, role: "follower" }, sync: syncStatus });
      break;
  }
};
