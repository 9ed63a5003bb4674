/**
 * `CopyMaking.scrub` for the database worker: the account's copy rebuilt and scrubbed in a worker
 * started for it (copyWorker.ts), its file handed over without a copy (a transfer).
 */
import { NoCopyError, type ScrubbedCopy } from "../db-worker/snapshot";

export interface CopyRequest {
  file: ArrayBuffer;
  serverSite: Uint8Array;
  rebuild: boolean;
}

export type CopyReply = { ok: true; made: ScrubbedCopy } | { ok: false; error: string; noCopy: boolean };

/**
 * A copy worker that has not answered by then is ended: a worker that dies without a word (out
 * of memory) must not leave the device waiting, and offering no copy, for the rest of the session.
 * Rebuilding 100,000 notes takes a few seconds here.
 */
const COPY_WORKER_TIMEOUT_MS = 5 * 60_000;

export function scrubOffThread(file: Uint8Array, serverSite: Uint8Array, rebuild: boolean): Promise<ScrubbedCopy> {
  const worker = new Worker(new URL("./copyWorker.ts", import.meta.url), { type: "module", name: "cobrain-copy" });
  // The file's buffer moves to the worker whole (it is read into a buffer of its own size).
  const buffer = file.byteOffset === 0 && file.byteLength === file.buffer.byteLength ? (file.buffer as ArrayBuffer) : file.slice().buffer;
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new Promise<ScrubbedCopy>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<CopyReply>) => {
      const reply = event.data;
      if (reply.ok) resolve(reply.made);
      else reject(reply.noCopy ? new NoCopyError(reply.error) : new Error(reply.error));
    };
    // A worker that cannot start (or runs out of memory) fails this copy; the device offers another later.
    worker.onerror = (event) => reject(new Error(`the copy's worker stopped: ${event.message || "no reason given"}`));
    timer = setTimeout(() => reject(new Error(`the copy's worker did not answer within ${COPY_WORKER_TIMEOUT_MS / 60_000} minutes`)), COPY_WORKER_TIMEOUT_MS);
    const request: CopyRequest = { file: buffer, serverSite, rebuild };
    worker.postMessage(request, [buffer]);
  }).finally(() => {
    clearTimeout(timer);
    worker.terminate();
  });
}
