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

/** gzip's own bound: its trailer holds the unpacked length modulo 2^32. */
const MAX_UNPACKED_BYTES = 2 ** 32 - 1;
/**
 * The subfield of a gzip header's extra field (RFC 1952, 2.3.1.1) that holds the unpacked length
 * (u32, little-endian), so that an opener can make its one buffer before the last bytes arrive.
 * gzip readers skip extra fields they do not know, so copies with it open as before everywhere.
 */
const SIZE_FIELD_ID = [0x43, 0x42]; // "CB"
const GZIP_HEADER_BYTES = 10;
const FEXTRA = 4;

/** `gz` with the size field in its header; CompressionStream writes a bare header (no flags). Exported for the tests. */
export function withSizeField(gz: Uint8Array, size: number): Uint8Array {
  if (gz.length < GZIP_HEADER_BYTES || gz[0] !== 0x1f || gz[1] !== 0x8b || gz[3] !== 0 || size > MAX_UNPACKED_BYTES) return gz;
  const out = new Uint8Array(gz.length + 10);
  out.set(gz.subarray(0, GZIP_HEADER_BYTES));
  out[3] = FEXTRA;
  const view = new DataView(out.buffer);
  view.setUint16(GZIP_HEADER_BYTES, 8, true); // XLEN: one subfield of 4 + 4 bytes
  out.set(SIZE_FIELD_ID, GZIP_HEADER_BYTES + 2);
  view.setUint16(GZIP_HEADER_BYTES + 4, 4, true);
  view.setUint32(GZIP_HEADER_BYTES + 6, size, true);
  out.set(gz.subarray(GZIP_HEADER_BYTES), GZIP_HEADER_BYTES + 10);
  return out;
}

/** The unpacked length from the size field at the start of a gzip stream; undefined if it has none. */
function sizeFieldOf(gz: Uint8Array): number | undefined {
  if (gz.length < GZIP_HEADER_BYTES + 2 || gz[0] !== 0x1f || gz[1] !== 0x8b || (gz[3]! & FEXTRA) === 0) return undefined;
  const view = new DataView(gz.buffer, gz.byteOffset, gz.byteLength);
  const end = Math.min(gz.length, GZIP_HEADER_BYTES + 2 + view.getUint16(GZIP_HEADER_BYTES, true));
  for (let at = GZIP_HEADER_BYTES + 2; at + 4 <= end; ) {
    const length = view.getUint16(at + 2, true);
    if (gz[at] === SIZE_FIELD_ID[0] && gz[at + 1] === SIZE_FIELD_ID[1] && length === 4 && at + 8 <= end) return view.getUint32(at + 4, true);
    at += 4 + length;
  }
  return undefined;
}

/** The copy, gzipped (its size in the gzip header) and sealed under `key`. */
export async function sealCopy(aead: Aead, key: AccountKey, file: Uint8Array): Promise<Uint8Array> {
  return sealGzipped(aead, key, withSizeField(await through(chunksOf(file, GZIP_SLICE_BYTES), new CompressionStream("gzip")), file.length));
}

/** Gzipped bytes, sealed under `key` (exported for the tests: copies sealed before the size field). */
export function sealGzipped(aead: Aead, key: AccountKey, gz: Uint8Array): Uint8Array {
  const chunks = chunksOf(gz, COPY_CHUNK_BYTES);
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
export async function openCopy(aead: Aead, keyring: Keyring, sealed: Uint8Array, maxBytes = MAX_UNPACKED_BYTES): Promise<Uint8Array> {
  const opener = new CopyOpener(aead, keyring, maxBytes);
  try {
    await opener.push(sealed);
    return await opener.finish();
  } catch (error) {
    opener.abort();
    throw error;
  }
}

/**
 * Opens a sealed copy as its bytes arrive (`push` each piece as it comes, then `finish`): each
 * chunk is opened once it is whole, and unpacked while the next ones are still on their way, into
 * one buffer of the size the gzip header's size field gives (opened with its chunk, so the
 * server cannot change it). A copy without the field (sealed before it existed) is unpacked once
 * whole, as it was then. Hand-written for the same reason as the format (see the top).
 */
export class CopyOpener {
  readonly #aead: Aead;
  readonly #keyring: Keyring;
  readonly #maxBytes: number;
  /** Bytes received and not yet used, in [#start, #end): at most the header or one chunk's record, and the piece just pushed. */
  #buffer = new Uint8Array(64 * 1024);
  #start = 0;
  #end = 0;
  #header: { bytes: Uint8Array; count: number; secret: Uint8Array } | undefined;
  #opened = 0;
  /** Chunks opened and not yet unpacked (or kept), in order; how many were. */
  #pendingPlain: Uint8Array[] = [];
  #unpacked = 0;
  /** Unpacking as chunks come (the copy says its size), or the chunks kept for the end (it does not). */
  #unpacking: { writer: WritableStreamDefaultWriter<BufferSource>; out: Promise<Uint8Array> } | undefined;
  #kept: Uint8Array[] = [];

  constructor(aead: Aead, keyring: Keyring, maxBytes: number) {
    this.#aead = aead;
    this.#keyring = keyring;
    this.#maxBytes = maxBytes;
  }

  async push(bytes: Uint8Array): Promise<void> {
    this.#buffer.copyWithin(0, this.#start, this.#end);
    this.#end -= this.#start;
    this.#start = 0;
    if (this.#end + bytes.length > this.#buffer.length) {
      const grown = new Uint8Array(Math.max(this.#end + bytes.length, this.#buffer.length * 2));
      grown.set(this.#buffer.subarray(0, this.#end));
      this.#buffer = grown;
    }
    this.#buffer.set(bytes, this.#end);
    this.#end += bytes.length;
    for (let used = this.#next(); used > 0; used = this.#next()) {
      this.#start += used;
      await this.#unpack();
    }
    if (this.#header && this.#opened === this.#header.count && this.#end > this.#start) throw new CopySealError("it has bytes after its last chunk");
  }

  /** Reads the header or opens one whole chunk; the bytes it used (0: it needs more). */
  #next(): number {
    const at = this.#start;
    const available = this.#end - at;
    const view = new DataView(this.#buffer.buffer, at, available);
    if (!this.#header) {
      if (available < HEADER_BYTES) return 0;
      if (!MAGIC.every((b, i) => this.#buffer[at + i] === b)) throw new CopySealError("it is not a sealed copy of this app");
      const generation = view.getUint32(MAGIC.length);
      const key = this.#keyring.generation(generation);
      if (!key) throw new CopySealError(`it is sealed with key generation ${generation}, which this device does not have`);
      this.#header = { bytes: this.#buffer.slice(at, at + HEADER_BYTES), count: view.getUint32(MAGIC.length + 4), secret: copyKey(key) };
      return HEADER_BYTES;
    }
    const { bytes: header, count, secret } = this.#header;
    if (this.#opened === count || available < 4 + NONCE_BYTES) return 0;
    const length = view.getUint32(0);
    if (length < TAG_BYTES) throw new CopySealError("it is cut short");
    // No sealer writes a larger chunk: a length beyond it is not waited for.
    if (length > COPY_CHUNK_BYTES + TAG_BYTES) throw new CopySealError("it has a chunk larger than any sealed copy's");
    const used = 4 + NONCE_BYTES + length;
    if (available < used) return 0;
    const plain = new Uint8Array(length - TAG_BYTES);
    try {
      const nonce = this.#buffer.subarray(at + 4, at + 4 + NONCE_BYTES);
      this.#aead.open(secret, nonce, chunkAd(header, this.#opened, this.#opened === count - 1), this.#buffer.subarray(at + 4 + NONCE_BYTES, at + used), plain);
    } catch {
      throw new CopySealError("it does not open with this account's key (altered, or sealed for another account)");
    }
    this.#opened++;
    this.#pendingPlain.push(plain);
    return used;
  }

  /** Unpacks the chunks opened so far (in order), or keeps them for the end. */
  async #unpack(): Promise<void> {
    for (let plain = this.#pendingPlain.shift(); plain; plain = this.#pendingPlain.shift()) {
      if (this.#unpacked++ === 0) {
        const size = sizeFieldOf(plain);
        if (size !== undefined) {
          if (size > this.#maxBytes) throw new CopySealError(`it unpacks to ${size} bytes, more than this device takes (${this.#maxBytes})`);
          const stream = new DecompressionStream("gzip");
          const out = readInto(stream.readable, size);
          out.catch(() => undefined); // its error is the one reported, by #write or finish
          this.#unpacking = { writer: stream.writable.getWriter(), out };
        }
      }
      if (!this.#unpacking) {
        this.#kept.push(plain);
        continue;
      }
      await this.#write(() => this.#unpacking!.writer.write(plain as Uint8Array<ArrayBuffer>));
      // Unpacking runs in promise jobs: a task boundary lets the person's requests in (see `through`).
      await nextTask();
    }
  }

  /** A step of the unpacking; its failure reported as the copy's. */
  async #write(step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (error) {
      const reason = await this.#unpacking?.out.then(() => undefined, (e: unknown) => e);
      if (reason instanceof CopySealError) throw reason;
      if (error instanceof CopySealError) throw error;
      throw new CopySealError("its contents do not unpack");
    }
  }

  /** The database file, once every byte has been pushed. */
  async finish(): Promise<Uint8Array> {
    if (!this.#header) throw new CopySealError("it is not a sealed copy of this app");
    if (this.#opened < this.#header.count || this.#end > this.#start) throw new CopySealError("it is cut short");
    await this.#unpack();
    const unpacking = this.#unpacking;
    if (unpacking) {
      await this.#write(() => unpacking.writer.close());
      let file: Uint8Array | undefined;
      await this.#write(async () => void (file = await unpacking.out));
      return file!;
    }
    try {
      // A copy is far below 4 GiB (COPY_MAX_DATABASE_BYTES), so ISIZE is its whole length.
      const size = gzipSize(this.#kept);
      if (size > this.#maxBytes) throw new CopySealError(`it unpacks to ${size} bytes, more than this device takes (${this.#maxBytes})`);
      return await through(this.#kept, new DecompressionStream("gzip"), size);
    } catch (error) {
      if (error instanceof CopySealError) throw error;
      throw new CopySealError("its contents do not unpack");
    }
  }

  /** Stops unpacking (the download failed, or the copy was refused). */
  abort(): void {
    void this.#unpacking?.writer.abort().catch(() => undefined);
  }
}
