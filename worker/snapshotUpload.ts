/**
 * The server's side of receiving a database snapshot (worker/snapshotStore.ts keeps it). It checks
 * what it can: the account has a key (a log from before encryption may hold plaintext written by
 * its devices, so no snapshot of it is kept), the snapshot covers no more of the log than the
 * server has and is not older than the one stored, and its bytes start with SNAPSHOT_MAGIC and
 * stay within SNAPSHOT_MAX_BYTES, counted as they arrive (a Content-Length can lie or be absent).
 * It reads nothing past the prefix: the rest is sealed with the account key.
 */
import { SNAPSHOT_MAGIC, SNAPSHOT_MAX_BYTES } from "../shared/constants";
import type { AccountKeyRecord } from "./accountKey";
import { SNAPSHOT_CHUNK_BYTES, type SnapshotStore } from "./snapshotStore";

export interface SnapshotUpload {
  seq: number;
  schemaVersion: number;
  device: string;
}

export interface SnapshotRefusal {
  ok: false;
  status: 400 | 409 | 413;
  error: string;
}

export type SnapshotReceived = { ok: true; seq: number; size: number } | SnapshotRefusal;

/** What the upload is checked against: the UserLog's log head, account key and snapshots. */
export interface SnapshotLog {
  head(): number;
  accountKey(): AccountKeyRecord | undefined;
  readonly snapshots: SnapshotStore;
}

export const SNAPSHOT_TOO_LARGE = `the snapshot is larger than ${SNAPSHOT_MAX_BYTES / 1024 / 1024} MiB, the most the server keeps`;

const MAGIC = new TextEncoder().encode(SNAPSHOT_MAGIC);

const refused = (status: SnapshotRefusal["status"], error: string): SnapshotRefusal => ({ ok: false, status, error });

/**
 * Why the snapshot cannot be stored now, or undefined. Checked before the bytes are read and
 * again when they are committed (`keyId`: the key the upload started under, which a rotation
 * meanwhile replaced: the snapshot would be sealed under a key new devices no longer get).
 */
function refusal(log: SnapshotLog, upload: SnapshotUpload, keyId?: string): SnapshotRefusal | undefined {
  const key = log.accountKey();
  if (!key) return refused(409, "this account has no encryption key on the server yet, so it keeps no snapshot; set up encryption first");
  if (keyId !== undefined && key.keyId !== keyId) return refused(409, "the account key was rotated while the snapshot was uploading; make a new snapshot");
  if (upload.seq > log.head()) return refused(400, `the snapshot says it covers the log up to ${upload.seq}, but the server's log ends at ${log.head()}`);
  const stored = log.snapshots.current();
  if (stored && stored.seq > upload.seq) return refused(409, `a newer snapshot (up to ${stored.seq}) is already stored; an older one never replaces it`);
  return undefined;
}

/** Stores the snapshot in `body` as the account's current one, or says why not (nothing changes then). */
export async function receiveSnapshot(log: SnapshotLog, upload: SnapshotUpload, body: ReadableStream<Uint8Array>): Promise<SnapshotReceived> {
  const early = refusal(log, upload);
  if (early) {
    await body.cancel(early.error);
    return early;
  }
  const keyId = log.accountKey()!.keyId;
  const id = log.snapshots.begin();
  let committed = false;
  try {
    const read = await stageChunks(body, (index, bytes) => log.snapshots.stage(id, index, bytes));
    if (!read.ok) return read;
    const late = log.snapshots.commit(id, { seq: upload.seq, schemaVersion: upload.schemaVersion, size: read.size, device: upload.device }, () => refusal(log, upload, keyId));
    if (late) return late;
    committed = true;
    return { ok: true, seq: upload.seq, size: read.size };
  } finally {
    if (!committed) log.snapshots.abandon(id);
  }
}

/**
 * Reads `body` into SNAPSHOT_CHUNK_BYTES chunks, handing each to `stage` as it fills: the magic
 * prefix is checked as soon as it has arrived and the size on every read, so a wrong or oversized
 * body is refused without being read to its end.
 */
async function stageChunks(body: ReadableStream<Uint8Array>, stage: (index: number, bytes: Uint8Array) => void): Promise<{ ok: true; size: number } | SnapshotRefusal> {
  const reader = body.getReader();
  const stop = async (refusal: SnapshotRefusal) => {
    await reader.cancel(refusal.error);
    return refusal;
  };
  const notSnapshot = refused(400, `this is not a CoBrain snapshot: it must start with "${SNAPSHOT_MAGIC}"`);
  const chunk = new Uint8Array(SNAPSHOT_CHUNK_BYTES);
  let filled = 0;
  let index = 0;
  let size = 0;
  let magicChecked = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > SNAPSHOT_MAX_BYTES) return stop(refused(413, SNAPSHOT_TOO_LARGE));
    for (let at = 0; at < value.byteLength; ) {
      const taken = Math.min(value.byteLength - at, chunk.length - filled);
      chunk.set(value.subarray(at, at + taken), filled);
      filled += taken;
      at += taken;
      if (!magicChecked && filled >= MAGIC.length) {
        if (!MAGIC.every((byte, i) => chunk[i] === byte)) return stop(notSnapshot);
        magicChecked = true;
      }
      if (filled === chunk.length) {
        stage(index++, chunk);
        filled = 0;
      }
    }
  }
  if (size === 0) return refused(400, "the snapshot is empty: send its bytes as the request body");
  if (!magicChecked) return notSnapshot;
  if (filled > 0) stage(index, chunk.subarray(0, filled));
  return { ok: true, size };
}
