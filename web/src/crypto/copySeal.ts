/**
 * Seals a database copy (db-worker/snapshot.ts) for the server, which stores it without being able
 * to read it, and opens one sealed by another device of the account.
 *
 * Format: SNAPSHOT_MAGIC (8 bytes, the only part the server checks), the key generation (u32),
 * the chunk count (u32), then per chunk its sealed length (u32), a random 24-byte nonce and the
 * XChaCha20-Poly1305 ciphertext of up to COPY_CHUNK_BYTES of the gzipped file. Each chunk's
 * associated data binds the header, its index and whether it is the last, so chunks cannot be
 * reordered, dropped, cut short or moved between copies without the open failing. The key is the
 * generation's own HKDF label ("cobrain copy key v1"), never the cell key.
 * Hand-written framing (the AEAD is libsodium / @noble/ciphers, aead.ts): no library seals a
 * stream in chunks in the format the server's magic check and the cell cipher's AEAD share.
 */
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { SNAPSHOT_MAGIC } from "../../../shared/constants";
import type { Aead } from "./aead";
import { KEY_BYTES } from "./keyDerivation";
import type { AccountKey, Keyring } from "./keyring";

/** Plaintext per chunk: an AEAD call on a phone stays short, and a copy of 64 MiB is 64 of them. */
const COPY_CHUNK_BYTES = 1024 * 1024;
/** Gzipped a slice at a time, with a task boundary after each: a request of the person's waits for one slice at most. */
const GZIP_SLICE_BYTES = 256 * 1024;
const NONCE_BYTES = 24;
const TAG_BYTES = 16;
const MAGIC = new TextEncoder().encode(SNAPSHOT_MAGIC);
const HEADER_BYTES = MAGIC.length + 8;

/** A sealed copy this device cannot open: nothing of it is used. */
export class CopySealError extends Error {
  override name = "CopySealError";
}

const copyKey = (key: AccountKey) => hkdf(sha256, key.secret, undefined, new TextEncoder().encode("cobrain copy key v1"), KEY_BYTES);

function chunkAd(header: Uint8Array, index: number, last: boolean): Uint8Array {
  const ad = new Uint8Array(header.length + 5);
  ad.set(header);
  new DataView(ad.buffer).setUint32(header.length, index);
  ad[header.length + 4] = last ? 1 : 0;
  return ad;
}

/**
 * `parts`, in order, through `stream`. Fed part by part: a copy of a whole database is not made
 * again on the way in (a Blob of the input would be one). With `size` (what must come out), the
 * output is written into one buffer of that size as it comes, not gathered and joined (which
 * would hold it twice).
 */
async function through(parts: readonly Uint8Array[], stream: CompressionStream | DecompressionStream, size?: number): Promise<Uint8Array> {
  const out = size === undefined ? new Response(stream.readable).arrayBuffer().then((b) => new Uint8Array(b)) : readInto(stream.readable, size);
  const writer = stream.writable.getWriter();
  try {
    for (const part of parts) {
      await writer.write(part as Uint8Array<ArrayBuffer>);
      // The stream's work runs in promise jobs, which no event can come between: without a task
      // boundary, gzipping a large copy would hold the person's requests for seconds.
      await nextTask();
    }
    await writer.close();
  } catch (error) {
    await out.catch(() => undefined); // errored with the same cause
    throw error;
  }
  return out;
}

/** Resolves in a new task, after events already queued (a MessageChannel: setTimeout is clamped to 4 ms when nested). */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });
}

async function readInto(readable: ReadableStream<Uint8Array>, size: number): Promise<Uint8Array> {
  const out = new Uint8Array(size);
  let at = 0;
  const reader = readable.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (at + value.length > size) {
      void reader.cancel(); // the writer is not left waiting on a reader that stopped
      throw new CopySealError("its contents are longer than it says");
    }
    out.set(value, at);
    at += value.length;
  }
  if (at !== size) throw new CopySealError("its contents are shorter than it says");
  return out;
}

/** A gzip stream's ISIZE: its last four bytes, the unpacked length mod 2^32, little-endian (RFC 1952). */
function gzipSize(chunks: readonly Uint8Array[]): number {
  const tail: number[] = [];
  for (let c = chunks.length - 1; c >= 0 && tail.length < 4; c--) {
    for (let i = chunks[c]!.length - 1; i >= 0 && tail.length < 4; i--) tail.unshift(chunks[c]![i]!);
  }
  if (tail.length < 4) throw new CopySealError("its contents do not unpack");
  return (tail[0]! | (tail[1]! << 8) | (tail[2]! << 16) | (tail[3]! << 24)) >>> 0;
}

/** `bytes` cut into views of at most `size` bytes. */
function chunksOf(bytes: Uint8Array, size: number): Uint8Array[] {
  const count = Math.max(1, Math.ceil(bytes.length / size));
  return Array.from({ length: count }, (_, i) => bytes.subarray(i * size, (i + 1) * size));
}

/** The copy, gzipped and sealed under `key`. */
export async function sealCopy(aead: Aead, key: AccountKey, file: Uint8Array): Promise<Uint8Array> {
  const chunks = chunksOf(await through(chunksOf(file, GZIP_SLICE_BYTES), new CompressionStream("gzip")), COPY_CHUNK_BYTES);
  const count = chunks.length;
  // Written in place into one buffer of the sealed copy's exact size.
  const out = new Uint8Array(HEADER_BYTES + chunks.reduce((sum, chunk) => sum + 4 + NONCE_BYTES + chunk.length + TAG_BYTES, 0));
  const view = new DataView(out.buffer);
  out.set(MAGIC);
  view.setUint32(MAGIC.length, key.generation);
  view.setUint32(MAGIC.length + 4, count);
  const header = out.slice(0, HEADER_BYTES);
  const secret = copyKey(key);
  let at = HEADER_BYTES;
  chunks.forEach((plain, i) => {
    const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
    // A buffer of its own each time: noble seals in place at offset 0 of `out`.
    const sealed = aead.seal(secret, nonce, chunkAd(header, i, i === count - 1), plain, new Uint8Array(plain.length + TAG_BYTES));
    view.setUint32(at, sealed.length);
    out.set(nonce, at + 4);
    out.set(sealed, at + 4 + NONCE_BYTES);
    at += 4 + NONCE_BYTES + sealed.length;
  });
  return out;
}

/** The database file inside a sealed copy; CopySealError, saying why, when it cannot be opened here. */
export async function openCopy(aead: Aead, keyring: Keyring, sealed: Uint8Array): Promise<Uint8Array> {
  if (sealed.length < HEADER_BYTES || !MAGIC.every((b, i) => sealed[i] === b)) throw new CopySealError("it is not a sealed copy of this app");
  const view = new DataView(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  const generation = view.getUint32(MAGIC.length);
  const count = view.getUint32(MAGIC.length + 4);
  const key = keyring.generation(generation);
  if (!key) throw new CopySealError(`it is sealed with key generation ${generation}, which this device does not have`);
  const header = sealed.subarray(0, HEADER_BYTES);
  const secret = copyKey(key);
  const chunks: Uint8Array[] = [];
  let at = HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    if (at + 4 + NONCE_BYTES > sealed.length) throw new CopySealError("it is cut short");
    const length = view.getUint32(at);
    const nonce = sealed.subarray(at + 4, at + 4 + NONCE_BYTES);
    const body = sealed.subarray(at + 4 + NONCE_BYTES, at + 4 + NONCE_BYTES + length);
    if (length < TAG_BYTES || body.length !== length) throw new CopySealError("it is cut short");
    const plain = new Uint8Array(length - TAG_BYTES);
    try {
      aead.open(secret, nonce, chunkAd(header, i, i === count - 1), body, plain);
    } catch {
      throw new CopySealError("it does not open with this account's key (altered, or sealed for another account)");
    }
    chunks.push(plain);
    at += 4 + NONCE_BYTES + length;
  }
  if (at !== sealed.length) throw new CopySealError("it has bytes after its last chunk");
  try {
    // A copy is far below 4 GiB (COPY_MAX_DATABASE_BYTES), so ISIZE is its whole length.
    return await through(chunks, new DecompressionStream("gzip"), gzipSize(chunks));
  } catch (error) {
    if (error instanceof CopySealError) throw error;
    throw new CopySealError("its contents do not unpack");
  }
}
