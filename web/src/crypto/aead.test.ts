/**
 * The two AEAD implementations (aead.ts) against one contract: the same bytes for the same inputs,
 * each opens what the other sealed, and neither opens anything altered. Envelopes sealed by either
 * (every device sealed with @noble/ciphers before libsodium) open with the other.
 */
import type { Change } from "@vlcn.io/ws-common";
import { describe, expect, it } from "vitest";
import { aeadFrom, fastAead, nobleAead, type Aead } from "./aead";
import { CellCipher } from "./cellCipher";
import { createAccountKey, DeviceKeyring } from "./keyStore";

const random = (n: number) => {
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i += 65_536) crypto.getRandomValues(bytes.subarray(i, Math.min(n, i + 65_536)));
  return bytes;
};
/** noble needs an output at offset 0 of its own buffer (4-byte aligned). */
const out = (n: number) => new Uint8Array(new ArrayBuffer(n));
const seal = (aead: Aead, key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, plain: Uint8Array) => aead.seal(key, nonce, ad, plain, out(plain.length + 16)).slice();
const open = (aead: Aead, key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, sealed: Uint8Array) => {
  const plain = out(sealed.length - 16);
  aead.open(key, nonce, ad, sealed, plain);
  return plain;
};

describe("cell AEAD", () => {
  it("runs libsodium in Node", async () => {
    expect((await fastAead()).name).toBe("libsodium");
  });

  it("falls back to @noble/ciphers, and says so, when libsodium cannot start", async () => {
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (message: string) => void warnings.push(message);
    try {
      expect(await aeadFrom(() => Promise.reject(new Error("WebAssembly.instantiate(): Wasm code generation disallowed by embedder")))).toBe(nobleAead);
    } finally {
      console.warn = warn;
    }
    expect(warnings).toEqual(["cell encryption uses @noble/ciphers: libsodium did not start (WebAssembly.instantiate(): Wasm code generation disallowed by embedder)"]);
  });

  it("seals the same bytes as @noble/ciphers, and each opens the other's, at every length", async () => {
    const sodium = await fastAead();
    const key = random(32);
    for (const length of [0, 1, 15, 16, 17, 63, 64, 65, 300, 70_000]) {
      const nonce = random(24);
      const ad = random(length % 97);
      const plain = random(length);
      const bySodium = seal(sodium, key, nonce, ad, plain);
      const byNoble = seal(nobleAead, key, nonce, ad, plain);
      expect(bySodium).toEqual(byNoble);
      expect(open(nobleAead, key, nonce, ad, bySodium)).toEqual(plain);
      expect(open(sodium, key, nonce, ad, byNoble)).toEqual(plain);
    }
  });

  it("neither opens a changed ciphertext, tag, nonce, associated data or key", async () => {
    const sodium = await fastAead();
    const key = random(32);
    const nonce = random(24);
    const ad = random(40);
    const sealed = seal(nobleAead, key, nonce, ad, random(50));
    const flip = (bytes: Uint8Array, at: number) => bytes.map((b, i) => (i === at ? b ^ 1 : b));
    const altered: Array<[Uint8Array, Uint8Array, Uint8Array, Uint8Array]> = [
      [key, nonce, ad, flip(sealed, 3)],
      [key, nonce, ad, flip(sealed, sealed.length - 1)],
      [key, flip(nonce, 23), ad, sealed],
      [key, nonce, flip(ad, 0), sealed],
      [flip(key, 0), nonce, ad, sealed],
      [key, nonce, ad, sealed.subarray(0, sealed.length - 1)],
    ];
    for (const aead of [sodium, nobleAead]) {
      for (const [k, n, a, s] of altered) expect(() => open(aead, k, n, a, s), aead.name).toThrow();
    }
  });

  it("a cell sealed on either implementation opens on the other", async () => {
    const keyring = new DeviceKeyring([createAccountKey()], 0);
    const fast = await CellCipher.create(keyring);
    const noble = new CellCipher(keyring);
    const pk = new Uint8Array([1, 11, 2, 0x6e, 0x31]);
    for (const value of [null, "Trip to Lisbon", "x".repeat(5000), 42n, 1.5, new Uint8Array([0, 255])]) {
      const change: Change = ["notes", pk, "body", value, 3n, 9n, null, 1n, 0];
      expect(noble.open(fast.seal(change))[3]).toEqual(value);
      expect(fast.open(noble.seal(change))[3]).toEqual(value);
    }
  });
});
