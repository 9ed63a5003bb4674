/**
 * Keys derived from one generation's 32-byte secret with HKDF-SHA256 (@noble/hashes: audited,
 * synchronous, so ids and cell keys are available without awaiting WebCrypto in hot loops).
 * Each purpose has its own `info` label, so no derived key can stand in for another, and none
 * reveals the secret (HKDF is one-way).
 */
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { toHex } from "./bytes";

/** Bytes of every secret and derived key: 256 bits. */
export const KEY_BYTES = 32;

const utf8 = new TextEncoder();
const derive = (secret: Uint8Array, label: string, length = KEY_BYTES) => hkdf(sha256, secret, undefined, utf8.encode(label), length);

/** A fresh account secret from the platform's CSPRNG. */
export function newSecret(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(KEY_BYTES));
}

/** Names a generation to the server without revealing it: 128 bits of HKDF output, hex. */
export function deriveKeyId(secret: Uint8Array): string {
  return toHex(derive(secret, "cobrain key id v1", 16));
}

/** The key entity ids are keyed with (generation 0 derives it; later generations carry it). */
export function deriveIdKey(secret: Uint8Array): Uint8Array {
  return derive(secret, "cobrain id key v1");
}

/** The key cell values are encrypted with, for one generation. */
export function deriveCellKey(secret: Uint8Array): Uint8Array {
  return derive(secret, "cobrain cell key v1");
}

