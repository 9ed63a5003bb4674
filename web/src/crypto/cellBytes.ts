/**
 * The bytes around each cell's cipher call (issue 14): the associated data, the typed plaintext
 * and the nonces, written into buffers reused from cell to cell. A first sync opens tens of
 * thousands of cells; building each one's associated data from ten small fresh arrays (and a
 * DataView each, which makes V8 give every small array its own backing store) cost more CPU and
 * garbage collection than the cipher itself (profiled with `node --cpu-prof`, see bench/encryption.ts).
 * The layouts are unchanged: the same bytes as before, only written without the allocations.
 */
import type { Change } from "@vlcn.io/ws-common";

type Value = Change[3];

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }); // keep a leading BOM: it is part of the value

/** Plaintext type bytes. */
const T = { null: 0, integer: 1, real: 2, text: 3, blob: 4 } as const;

export const NONCE_BYTES = 24;
/** A buffer's first size; each grows to the largest cell it has seen (a cell is at most MAX_SYNC_CELL_BYTES). */
const INITIAL_BYTES = 4096;
/** Table and column names kept encoded; names come from the server too, so the cache is bounded. */
const MAX_CACHED_NAMES = 1024;
/** crypto.getRandomValues fills at most 65,536 bytes a call: that many whole nonces at a time. */
const NONCE_POOL_BYTES = 65_536 - (65_536 % NONCE_BYTES);
const LABEL = utf8.encode("cobrain cell");

/** A growable byte buffer with a DataView over it (both replaced when it grows). */
class Scratch {
  bytes = new Uint8Array(INITIAL_BYTES);
  view = new DataView(this.bytes.buffer);

  ensure(length: number): void {
    if (length <= this.bytes.length) return;
    this.bytes = new Uint8Array(Math.max(length, this.bytes.length * 2));
    this.view = new DataView(this.bytes.buffer);
  }
}

/**
 * A buffer for the cipher's output, at offset 0 of its own ArrayBuffer: @noble/ciphers works on
 * 32-bit words of 4-byte-aligned buffers in place, and copies the ones that are not (an
 * envelope's nonce at byte 5 and ciphertext at byte 29 are not).
 */
export class AlignedOutput {
  readonly #buf = new Scratch();
  /** The envelope's nonce, copied to offset 0 (noble reads it during the call only). */
  readonly nonce = new Uint8Array(new ArrayBuffer(NONCE_BYTES));

  of(length: number): Uint8Array {
    this.#buf.ensure(length);
    return this.#buf.bytes.subarray(0, length);
  }
}

/**
 * Associated data: length-prefixed fields (so no two different cells produce the same bytes):
 * "cobrain cell", version, generation (u32), table, pk, cid, col_version (i64), cl (i64); every
 * number big-endian. The result is a view of a reused buffer, valid until the next `of` call.
 */
export class AssociatedData {
  readonly #out = new Scratch();
  readonly #names = new Map<string, Uint8Array>();

  #name(name: string): Uint8Array {
    let bytes = this.#names.get(name);
    if (!bytes) {
      if (this.#names.size >= MAX_CACHED_NAMES) this.#names.clear();
      this.#names.set(name, (bytes = utf8.encode(name)));
    }
    return bytes;
  }

  of(version: number, generation: number, change: Change): Uint8Array {
    // Index access, not destructuring, and no closures: this runs once per cell.
    const tableBytes = this.#name(change[0]);
    const pk = change[1];
    const cidBytes = this.#name(change[2]);
    const length = 8 * 4 + LABEL.length + 1 + 4 + tableBytes.length + pk.length + cidBytes.length + 8 + 8;
    this.#out.ensure(length);
    const { bytes, view } = this.#out;
    let at = writePart(bytes, view, 0, LABEL);
    view.setUint32(at, 1);
    bytes[at + 4] = version;
    at += 5;
    view.setUint32(at, 4);
    view.setUint32(at + 4, generation);
    at += 8;
    at = writePart(bytes, view, at, tableBytes);
    at = writePart(bytes, view, at, pk);
    at = writePart(bytes, view, at, cidBytes);
    view.setUint32(at, 8);
    view.setBigInt64(at + 4, BigInt(change[4]));
    at += 12;
    view.setUint32(at, 8);
    view.setBigInt64(at + 4, BigInt(change[7]));
    return bytes.subarray(0, length);
  }
}

/** Writes a length-prefixed field at `at`; returns where the next one starts. */
function writePart(bytes: Uint8Array, view: DataView, at: number, field: Uint8Array): number {
  view.setUint32(at, field.length);
  bytes.set(field, at + 4);
  return at + 4 + field.length;
}

/**
 * The plaintext: one type byte and the value (INTEGER as i64, REAL as f64, big-endian; TEXT as
 * UTF-8; BLOB as is; NULL as the type byte alone), in a reused buffer.
 */
export class PlainCodec {
  readonly #buf = new Scratch();

  /** The encoded value: a view valid until the next call. */
  encode(value: Value): Uint8Array {
    if (value === null || value === undefined) return this.#typeAnd(T.null, 0);
    if (typeof value === "bigint") {
      const out = this.#typeAnd(T.integer, 8);
      this.#buf.view.setBigInt64(1, value);
      return out;
    }
    if (typeof value === "number") {
      const out = this.#typeAnd(T.real, 8);
      this.#buf.view.setFloat64(1, value);
      return out;
    }
    if (typeof value === "string") {
      this.#buf.ensure(1 + value.length * 3); // UTF-8 takes at most 3 bytes per UTF-16 unit
      this.#buf.bytes[0] = T.text;
      const { written } = utf8.encodeInto(value, this.#buf.bytes.subarray(1));
      return this.#buf.bytes.subarray(0, 1 + written);
    }
    if (value instanceof Uint8Array) {
      const out = this.#typeAnd(T.blob, value.length);
      out.set(value, 1);
      return out;
    }
    throw new Error(`cannot encrypt a value of type ${typeof value}`);
  }

  #typeAnd(type: number, length: number): Uint8Array {
    this.#buf.ensure(1 + length);
    this.#buf.bytes[0] = type;
    return this.#buf.bytes.subarray(0, 1 + length);
  }

  /** A buffer of `length` bytes to decrypt into, then `decode` it. */
  output(length: number): Uint8Array {
    this.#buf.ensure(length);
    return this.#buf.bytes.subarray(0, length);
  }

  /** The value in the first `length` bytes of the last `output` buffer. */
  decode(length: number): Value {
    const { bytes, view } = this.#buf;
    const bodyLength = length - 1;
    switch (length > 0 ? bytes[0] : -1) {
      case T.null:
        if (bodyLength !== 0) break;
        return null;
      case T.integer:
        if (bodyLength !== 8) break;
        return view.getBigInt64(1);
      case T.real:
        if (bodyLength !== 8) break;
        return view.getFloat64(1);
      case T.text:
        return utf8Strict.decode(bytes.subarray(1, length));
      case T.blob:
        return bytes.slice(1, length);
    }
    throw new Error("the decrypted value is malformed");
  }
}

/**
 * Random nonces drawn from the platform CSPRNG in bulk (one call per 2,730 nonces instead of one
 * per cell); each pooled byte is handed out once, then the pool is refilled.
 */
export class NoncePool {
  readonly #pool = new Uint8Array(NONCE_POOL_BYTES);
  #at = NONCE_POOL_BYTES;

  /** Writes a fresh nonce into `out` at `offset` (0 unless given). */
  writeInto(out: Uint8Array, offset = 0): void {
    if (this.#at + NONCE_BYTES > NONCE_POOL_BYTES) {
      crypto.getRandomValues(this.#pool);
      this.#at = 0;
    }
    out.set(this.#pool.subarray(this.#at, this.#at + NONCE_BYTES), offset);
    this.#pool.fill(0, this.#at, this.#at + NONCE_BYTES);
    this.#at += NONCE_BYTES;
  }
}
