/**
 * The envelope every encrypted cell value travels in (issue 14), as both sides see it. The device
 * seals and opens it (web/src/crypto/cellCipher.ts); the server can only check its shape.
 *
 *   byte 0        format version (ENVELOPE_VERSION)
 *   bytes 1–4     key generation, unsigned 32-bit big-endian
 *   bytes 5–28    XChaCha20-Poly1305 nonce (24 random bytes)
 *   bytes 29–     ciphertext of the typed plaintext, then the 16-byte Poly1305 tag
 *
 * On the wire it is a BLOB value. The plaintext is one type byte (NULL, INTEGER, REAL, TEXT, BLOB)
 * and the value, so a device gets back the exact SQLite type it must apply.
 */
import { MAX_SYNC_CELL_BYTES } from "./constants";

export const ENVELOPE_VERSION = 1;
export const ENVELOPE_HEADER_BYTES = 1 + 4 + 24;
export const ENVELOPE_TAG_BYTES = 16;
/** Header, tag and the plaintext's type byte: the smallest envelope (a NULL). */
export const MIN_ENVELOPE_BYTES = ENVELOPE_HEADER_BYTES + ENVELOPE_TAG_BYTES + 1;
/** The largest cell a device may write, as an envelope: type byte and a cell of MAX_SYNC_CELL_BYTES. */
export const MAX_ENVELOPE_BYTES = MIN_ENVELOPE_BYTES + MAX_SYNC_CELL_BYTES;
/**
 * How much larger a sealed change may be on the wire than its plaintext's estimate
 * (shared/wireSize.ts): the envelope's fixed bytes plus a BLOB's length prefix, rounded up.
 * An INTEGER (estimated at 9) becomes 5 + 1 + 8 + 45; TEXT is estimated at 3 bytes a character.
 */
export const SEALED_EXTRA_WIRE_BYTES = 56;

/** Why `value` is not a well-formed envelope (the server's check), or undefined. */
export function envelopeProblem(value: unknown): string | undefined {
  if (!(value instanceof Uint8Array)) return `expected an encrypted value (BLOB envelope), got ${value === null ? "NULL" : typeof value}`;
  if (value.length < MIN_ENVELOPE_BYTES) return `encrypted value of ${value.length} bytes is shorter than the smallest envelope (${MIN_ENVELOPE_BYTES})`;
  if (value.length > MAX_ENVELOPE_BYTES) return `encrypted value of ${value.length} bytes is over ${MAX_ENVELOPE_BYTES}`;
  if (value[0] !== ENVELOPE_VERSION) return `unknown envelope format ${value[0]} (this server knows ${ENVELOPE_VERSION})`;
  return undefined;
}

/** The key generation written in an envelope's header (no check of the rest). */
export function envelopeGeneration(envelope: Uint8Array): number {
  // By hand, not a DataView: this runs per cell, and a DataView per small array costs V8 a backing store.
  return ((envelope[1]! << 24) | (envelope[2]! << 16) | (envelope[3]! << 8) | envelope[4]!) >>> 0;
}

/** Writes `generation` into an envelope's header (bytes 1–4, big-endian). */
export function writeGeneration(envelope: Uint8Array, generation: number): void {
  envelope[1] = generation >>> 24;
  envelope[2] = generation >>> 16;
  envelope[3] = generation >>> 8;
  envelope[4] = generation;
}
