/**
 * The copy of the account's database kept (sealed) on the server: a synced device offers a new
 * one when the log has grown well past the last; a new device fetches it and starts from it
 * instead of receiving every change one by one (README, "A new device starts from a copy").
 * The copy itself travels by the device's `fetch` (deviceFetch), not the typed RPC client: its
 * bodies are raw bytes, not JSON.
 */
import { COPY_MIN_NEW_CHANGES, COPY_STALL_MS, COPY_UPLOAD_TIMEOUT_MS, SNAPSHOT_MAX_BYTES } from "../../../shared/constants";
import { fastAead } from "../crypto/aead";
import { openCopy, sealCopy } from "../crypto/copySeal";
import type { DeviceKeyring } from "../crypto/keyStore";
import { fromHex, toHex } from "../crypto/bytes";
import { SNAPSHOT_SCHEMA_HEADER, SNAPSHOT_SEQ_HEADER, SNAPSHOT_SITE_HEADER, SNAPSHOT_UNTIL_HEADER } from "../../../shared/api";
import { makeCopy, NoCopyError, type CopyMaking } from "../db-worker/snapshot";
import { deviceFetch, serverApi } from "../api/serverApi";
import type { Exclusive } from "./syncDb";
import { traceMark } from "../db-worker/trace";

/** A copy fetched and opened: the database file, and the server seq it covers. */
export interface FetchedCopy {
  file: Uint8Array;
  seq: number;
}

const COPY_PATH = "/api/snapshot";

/**
 * The account's copy, opened with this device's key; undefined when there is none (or the server
 * keeps none); throws, saying why, when there is one this device cannot use.
 */
export async function fetchCopy(
  serverUrl: string,
  token: string,
  keyring: DeviceKeyring,
  onProgress: (received: number, total: number) => void,
  stallMs = COPY_STALL_MS,
): Promise<FetchedCopy | undefined> {
  if (!keyring.current()) return undefined; // no key yet (a device linked by code asks for the phrase first)
  // Aborted when nothing arrives for COPY_STALL_MS (the timer restarts with every chunk).
  const stall = new AbortController();
  let timer = setTimeout(() => stall.abort(), stallMs);
  const alive = () => {
    clearTimeout(timer);
    timer = setTimeout(() => stall.abort(), stallMs);
  };
  try {
    const response = await deviceFetch({ token: async () => token })(new URL(COPY_PATH, serverUrl), { signal: stall.signal });
    if (response.status === 404) return undefined;
    if (!response.ok) throw new Error(`the server answered ${response.status}`);
    const seq = Number(response.headers.get(SNAPSHOT_SEQ_HEADER));
    if (!Number.isSafeInteger(seq) || seq < 0) throw new Error("the server did not say how far the copy goes");
    const sealed = await readAll(response, (received, total) => {
      alive();
      onProgress(received, total);
    });
    traceMark("copy downloaded");
    return { file: await openCopy(await fastAead(), keyring, sealed), seq };
  } catch (error) {
    if (stall.signal.aborted) throw new Error(`nothing of it arrived for ${stallMs / 1000} s`);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Makes, seals and stores a new copy when the server's log has grown by COPY_MIN_NEW_CHANGES
 * since the last one. `stillSynced` is asked inside the database's exclusive section, right
 * before copying: a device with anything unsent makes no copy. Resolves to the copy's size in
 * bytes, or undefined when none was needed or possible.
 */
export async function offerCopy(
  serverUrl: string,
  token: () => Promise<string>,
  keyring: DeviceKeyring,
  exclusive: Exclusive,
  stillSynced: () => boolean,
  making: CopyMaking = {},
): Promise<number | undefined> {
  const key = keyring.current();
  if (!key) return undefined;
  const statsAnswer = await serverApi(serverUrl, { token }).api.log.stats.$get(undefined, { init: { signal: AbortSignal.timeout(COPY_STALL_MS) } });
  if (statsAnswer.status !== 200) return undefined;
  const stats = await statsAnswer.json();
  if (stats.head - (stats.snapshotSeq ?? 0) < COPY_MIN_NEW_CHANGES) return undefined;
  const copy = await makeCopy(exclusive, fromHex(stats.serverSite), stillSynced, making);
  if (!copy) return undefined;
  const sealed = await sealCopy(await fastAead(), key, copy.bytes);
  if (sealed.length > SNAPSHOT_MAX_BYTES) throw new NoCopyError(`the sealed copy (${sealed.length} bytes) is larger than the server keeps`);
  const stored = await deviceFetch({ token })(new URL(COPY_PATH, serverUrl), {
    method: "PUT",
    headers: {
      "content-type": "application/octet-stream",
      [SNAPSHOT_SEQ_HEADER]: String(copy.seq),
      [SNAPSHOT_SCHEMA_HEADER]: String(copy.schemaVersion),
      // The server extends the copy's seq over this device's own pushes, up to the head read before copying.
      [SNAPSHOT_SITE_HEADER]: toHex(copy.site),
      [SNAPSHOT_UNTIL_HEADER]: String(stats.head),
    },
    body: sealed as Uint8Array<ArrayBuffer>,
    signal: AbortSignal.timeout(COPY_UPLOAD_TIMEOUT_MS),
  });
  if (!stored.ok) {
    const reason = await stored.json().then((b: { error?: string }) => b.error, () => undefined);
    throw new Error(`the server did not keep it (${stored.status}${reason ? `: ${reason}` : ""})`);
  }
  return sealed.length;
}

/** The body, read chunk by chunk so the person sees how far it is. */
async function readAll(response: Response, onProgress: (received: number, total: number) => void): Promise<Uint8Array> {
  const total = Number(response.headers.get("content-length")) || 0;
  const chunks: Uint8Array[] = [];
  let received = 0;
  const reader = response.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.length;
    onProgress(received, Math.max(total, received));
  }
  return new Uint8Array(await new Blob(chunks as Uint8Array<ArrayBuffer>[]).arrayBuffer());
}
