/**
 * The cell cipher's AEAD, XChaCha20-Poly1305 (IETF construction: 24-byte nonce, ciphertext then
 * the 16-byte tag), in two implementations that produce the same bytes (aead.test.ts checks each
 * opens the other's):
 * - libsodium (`libsodium-wrappers`, WebAssembly): about 2 µs a cell where @noble/ciphers takes
 *   about 24, which is most of what encryption added to a 10,000-note first sync
 *   (`npm run bench -- encryption` measures both);
 * - @noble/ciphers (pure JS): the fallback where libsodium cannot start, the one the convergence
 *   tests' simulated devices use in workerd (which cannot compile WebAssembly from bytes at run
 *   time), and the format's reference.
 */
import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";

export interface Aead {
  readonly name: string;
  /** Ciphertext and tag; may be a view of a buffer reused by the next call. */
  seal(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, plain: Uint8Array, out: Uint8Array): Uint8Array;
  /** Writes the plaintext into `out` (exactly its length); throws when the tag does not verify. */
  open(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, sealed: Uint8Array, out: Uint8Array): void;
}

/** Pure JS; `out` for seal must be 4-byte aligned at offset 0 (noble works in place on 32-bit words). */
export const nobleAead: Aead = {
  name: "@noble/ciphers",
  seal: (key, nonce, ad, plain, out) => xchacha20poly1305(key, nonce, ad).encrypt(plain, out),
  open: (key, nonce, ad, sealed, out) => void xchacha20poly1305(key, nonce, ad).decrypt(sealed, out),
};

type Sodium = (typeof import("libsodium-wrappers"))["default"];

/** libsodium from `load` once it is ready, or @noble/ciphers if it cannot start; logs which. */
export async function aeadFrom(load: () => Promise<{ default: Sodium }>): Promise<Aead> {
  try {
    const sodium = (await load()).default;
    await sodium.ready;
    console.info("cell encryption: XChaCha20-Poly1305 from libsodium");
    return {
      name: "libsodium",
      seal: (key, nonce, ad, plain) => sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plain, ad, null, nonce, key),
      open: (key, nonce, ad, sealed, out) => out.set(sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, sealed, ad, nonce, key)),
    };
  } catch (error) {
    console.warn(`cell encryption uses @noble/ciphers: libsodium did not start (${error instanceof Error ? error.message : String(error)})`);
    return nobleAead;
  }
}

let loading: Promise<Aead> | undefined;

/** The fast AEAD of this thread: libsodium, loaded once (the fallback, once chosen, stays for the thread's life). */
export function fastAead(): Promise<Aead> {
  loading ??= aeadFrom(() => import("libsodium-wrappers"));
  return loading;
}
