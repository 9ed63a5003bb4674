/**
 * Rebuilds and scrubs the account's copy (db-worker/snapshot.ts `rebuildAndScrub`) on a thread of
 * its own, with its own cr-sqlite: at 100,000 notes that is seconds of synchronous WebAssembly,
 * which on the database worker would hold every request of the person's (a save, a search) for
 * as long. The database worker only reads the file's bytes (sqlite/readDatabaseFile.ts) and hands
 * them over; this worker is started for one copy and ended after it (copyOffThread.ts).
 */
/// <reference lib="webworker" />
import { syncBuild } from "../db-worker/sqlite/backends";
import { NoCopyError, rebuildAndScrub } from "../db-worker/snapshot";
import { errorMessage } from "../../../shared/errorMessage";
import type { CopyReply, CopyRequest } from "./copyOffThread";

self.onmessage = async (event: MessageEvent<CopyRequest>) => {
  const { file, serverSite, rebuild } = event.data;
  let reply: CopyReply;
  try {
    const made = await rebuildAndScrub(await syncBuild(), new Uint8Array(file), serverSite, rebuild);
    reply = { ok: true, made };
    self.postMessage(reply, [made.bytes.buffer as ArrayBuffer]);
    return;
  } catch (error) {
    reply = { ok: false, error: errorMessage(error), noCopy: error instanceof NoCopyError };
  }
  self.postMessage(reply);
};
