/**
 * A sealed copy opens only whole, in order, under the account's key; anything else is refused
 * with a reason (the server stores it blind, so a device is the only one that can check it).
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { nobleAead } from "./aead";
import { CopySealError, openCopy, sealCopy } from "./copySeal";
import { newSecret } from "./keyDerivation";
import type { AccountKey, Keyring } from "./keyring";
import { accountKeyFrom } from "./keyStore";

const keyringOf = (...keys: AccountKey[]): Keyring => ({
  current: () => keys.at(-1),
  generation: (g) => keys.find((k) => k.generation === g),
  onChange: () => () => undefined,
});

/** 2.5 MiB that gzip cannot shrink: three chunks. */
const file = () => new Uint8Array(randomBytes(2.5 * 1024 * 1024 - 5));
const SEALED_HEADER = 16;

describe("copySeal", () => {
  it("round-trips a copy of several chunks, and a later generation still opens an older one's", async () => {
    const key = accountKeyFrom(newSecret(), 0);
    const plain = file();
    const sealed = await sealCopy(nobleAead, key, plain);
    expect(Buffer.from(sealed).includes(Buffer.from(plain.subarray(1000, 1064)))).toBe(false);
    const later = accountKeyFrom(newSecret(), 1);
    expect(await openCopy(nobleAead, keyringOf(key, later), sealed)).toEqual(plain);
  });

  it("refuses another account's key, an unknown generation, and anything that is not a sealed copy", async () => {
    const sealed = await sealCopy(nobleAead, accountKeyFrom(newSecret(), 0), new Uint8Array([1, 2, 3]));
    await expect(openCopy(nobleAead, keyringOf(accountKeyFrom(newSecret(), 0)), sealed)).rejects.toThrow(/does not open with this account's key/);
    await expect(openCopy(nobleAead, keyringOf(accountKeyFrom(newSecret(), 3)), sealed)).rejects.toThrow(/generation 0/);
    await expect(openCopy(nobleAead, keyringOf(), new TextEncoder().encode("SQLite format 3\0"))).rejects.toThrow(/not a sealed copy/);
  });

  it("refuses a copy altered, cut short, reordered or with a chunk dropped", async () => {
    const key = accountKeyFrom(newSecret(), 0);
    const keyring = keyringOf(key);
    const sealed = await sealCopy(nobleAead, key, file());
    const flipped = sealed.slice();
    flipped[sealed.length - 100]! ^= 1;
    await expect(openCopy(nobleAead, keyring, flipped)).rejects.toThrow(CopySealError);
    await expect(openCopy(nobleAead, keyring, sealed.subarray(0, sealed.length - 1))).rejects.toThrow(/cut short/);
    // The chunks as they sit in the file.
    const chunks: Uint8Array[] = [];
    const view = new DataView(sealed.buffer);
    for (let at = SEALED_HEADER; at < sealed.length; ) {
      const end = at + 4 + 24 + view.getUint32(at);
      chunks.push(sealed.subarray(at, end));
      at = end;
    }
    expect(chunks.length).toBe(3);
    const joined = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
    const header = sealed.subarray(0, SEALED_HEADER);
    await expect(openCopy(nobleAead, keyring, joined(header, chunks[1]!, chunks[0]!, chunks[2]!))).rejects.toThrow(/does not open/);
    // The last chunk dropped and the count lowered to match: the header no longer matches what was sealed.
    const shorter = header.slice();
    new DataView(shorter.buffer).setUint32(12, 2);
    await expect(openCopy(nobleAead, keyring, joined(shorter, chunks[0]!, chunks[1]!))).rejects.toThrow(/does not open/);
    await expect(openCopy(nobleAead, keyring, joined(header, chunks[0]!, chunks[1]!))).rejects.toThrow(/cut short/);
    await expect(openCopy(nobleAead, keyring, joined(sealed, new Uint8Array([0])))).rejects.toThrow(/after its last chunk/);
  });
});
