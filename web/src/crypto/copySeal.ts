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

async function through(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const piped = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(piped).arrayBuffer());
}

/** The copy, gzipped and sealed under `key`. */
export async function sealCopy(aead: Aead, key: AccountKey, file: Uint8Array): Promise<Uint8Array> {
  const packed = await through(file, new CompressionStream("gzip"));
  const count = Math.max(1, Math.ceil(packed.length / COPY_CHUNK_BYTES));
  const header = new Uint8Array(HEADER_BYTES);
  header.set(MAGIC);
  new DataView(header.buffer).setUint32(MAGIC.length, key.generation);
  new DataView(header.buffer).setUint32(MAGIC.length + 4, count);
  const secret = copyKey(key);
  const parts: Uint8Array[] = [header];
  for (let i = 0; i < count; i++) {
    const plain = packed.subarray(i * COPY_CHUNK_BYTES, (i + 1) * COPY_CHUNK_BYTES);
    const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
    const sealed = aead.seal(secret, nonce, chunkAd(header, i, i === count - 1), plain, new Uint8Array(plain.length + TAG_BYTES)).slice();
    const length = new Uint8Array(4);
    new DataView(length.buffer).setUint32(0, sealed.length);
    parts.push(length, nonce, sealed);
  }
  return new Uint8Array(await new Blob(parts as Uint8Array<ArrayBuffer>[]).arrayBuffer());
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
    return await through(new Uint8Array(await new Blob(chunks as Uint8Array<ArrayBuffer>[]).arrayBuffer()), new DecompressionStream("gzip"));
  } catch {
    throw new CopySealError("its contents do not unpack");
  }
}
