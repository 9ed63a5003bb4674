/**
 * Cell encryption (issue 14): every value of every replicated table is sealed on the device
 * before it leaves and opened before it is applied; the server stores and relays envelopes only
 * (shared/envelope.ts). XChaCha20-Poly1305 from @noble/ciphers (audited; 192-bit random nonces
 * are safe for any number of values under one key; synchronous, so a 10,000-note sync does not
 * await per cell). Row sentinels (cid "-1", no value) are sealed too, as an encrypted NULL, so a
 * server cannot forge a delete or a resurrection either.
 *
 * Associated data binds each envelope to its cell and to the clocks that stay fixed end to end:
 * table, primary key, column, col_version and causal length, plus the envelope's version and key
 * generation. The server legitimately rewrites db_version (its own log sequence), seq and the site
 * id (it sends none), so those are not bound. A value moved to another cell, or replayed under
 * newer clocks (a higher col_version or cl, which would make it win), does not open. Replaying a
 * value under its own clocks is what the server is for: cr-sqlite's merge order settles it.
 *
 * NULL is encrypted like any value (a type byte inside the envelope): the server cannot tell an
 * empty optional field from a set one.
 */
import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import type { Change } from "@vlcn.io/ws-common";
import { ENVELOPE_HEADER_BYTES, ENVELOPE_VERSION, envelopeGeneration, envelopeProblem } from "../../../shared/envelope";
import { deriveCellKey } from "./keyDerivation";
import type { AccountKey, Keyring } from "./keyring";

const NONCE_BYTES = 24;
const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }) // keep a leading BOM: it is part of the value;

/** Plaintext type bytes. */
const T = { null: 0, integer: 1, real: 2, text: 3, blob: 4 } as const;

/** Why a received change was not applied, in words for the sync activity. */
export class CellRefusal extends Error {
  constructor(
    readonly change: Change,
    reason: string,
  ) {
    super(reason);
    this.name = "CellRefusal";
  }
}

type Value = Change[3];

function encodePlain(value: Value): Uint8Array {
  if (value === null || value === undefined) return Uint8Array.of(T.null);
  if (typeof value === "bigint") {
    const out = new Uint8Array(9);
    out[0] = T.integer;
    new DataView(out.buffer).setBigInt64(1, value);
    return out;
  }
  if (typeof value === "number") {
    const out = new Uint8Array(9);
    out[0] = T.real;
    new DataView(out.buffer).setFloat64(1, value);
    return out;
  }
  if (typeof value === "string") {
    const bytes = utf8.encode(value);
    const out = new Uint8Array(1 + bytes.length);
    out[0] = T.text;
    out.set(bytes, 1);
    return out;
  }
  if (value instanceof Uint8Array) {
    const out = new Uint8Array(1 + value.length);
    out[0] = T.blob;
    out.set(value, 1);
    return out;
  }
  throw new Error(`cannot encrypt a value of type ${typeof value}`);
}

function decodePlain(plain: Uint8Array): Value {
  const body = plain.subarray(1);
  switch (plain[0]) {
    case T.null:
      if (body.length !== 0) break;
      return null;
    case T.integer:
      if (body.length !== 8) break;
      return new DataView(body.buffer, body.byteOffset, 8).getBigInt64(0);
    case T.real:
      if (body.length !== 8) break;
      return new DataView(body.buffer, body.byteOffset, 8).getFloat64(0);
    case T.text:
      return utf8Strict.decode(body);
    case T.blob:
      return body.slice();
  }
  throw new Error("the decrypted value is malformed");
}

/** Length-prefixed fields, so no two different cells can produce the same associated data. */
function associatedData(version: number, generation: number, [table, pk, cid, , colVersion, , , cl]: Change): Uint8Array {
  const parts = [utf8.encode("cobrain cell"), Uint8Array.of(version), u32(generation), utf8.encode(table), pk, utf8.encode(cid), i64(colVersion), i64(cl)];
  const out = new Uint8Array(parts.reduce((n, p) => n + 4 + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(u32(part.length), at);
    out.set(part, at + 4);
    at += 4 + part.length;
  }
  return out;
}

const withValue = ([table, pk, cid, , colVersion, dbVersion, site, cl, seq]: Change, value: Value): Change => [table, pk, cid, value, colVersion, dbVersion, site, cl, seq];

function u32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
}

function i64(n: bigint | number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, BigInt(n));
  return out;
}

export class CellCipher {
  readonly #keyring: Keyring;
  /** Derived cell keys by generation (derivation is HKDF: cheap, but not per cell). */
  readonly #cellKeys = new Map<string, Uint8Array>();

  constructor(keyring: Keyring) {
    this.#keyring = keyring;
  }

  #cellKey(key: AccountKey): Uint8Array {
    let cellKey = this.#cellKeys.get(key.keyId);
    if (!cellKey) this.#cellKeys.set(key.keyId, (cellKey = deriveCellKey(key.secret)));
    return cellKey;
  }

  /** True when this device holds a key to write with. */
  get ready(): boolean {
    return this.#keyring.current() !== undefined;
  }

  /** The change with its value sealed under the current key; throws if the device has none. */
  seal(change: Change): Change {
    const key = this.#keyring.current();
    if (!key) throw new Error("this device has no account key to encrypt with");
    const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
    const sealed = xchacha20poly1305(this.#cellKey(key), nonce, associatedData(ENVELOPE_VERSION, key.generation, change)).encrypt(encodePlain(change[3]));
    const envelope = new Uint8Array(ENVELOPE_HEADER_BYTES + sealed.length);
    envelope[0] = ENVELOPE_VERSION;
    envelope.set(u32(key.generation), 1);
    envelope.set(nonce, 5);
    envelope.set(sealed, ENVELOPE_HEADER_BYTES);
    return withValue(change, envelope);
  }

  /** The change with its value opened; throws CellRefusal saying why it cannot be trusted. */
  open(change: Change): Change {
    const envelope = change[3];
    const problem = envelopeProblem(envelope);
    if (problem) throw new CellRefusal(change, `not a valid encrypted value (${problem})`);
    const bytes = envelope as Uint8Array;
    const generation = envelopeGeneration(bytes);
    const key = this.#keyring.generation(generation);
    if (!key) throw new CellRefusal(change, `written with key generation ${generation}, which this device does not have`);
    let plain: Uint8Array;
    try {
      plain = xchacha20poly1305(this.#cellKey(key), bytes.subarray(5, ENVELOPE_HEADER_BYTES), associatedData(bytes[0]!, generation, change)).decrypt(
        bytes.subarray(ENVELOPE_HEADER_BYTES),
      );
    } catch {
      throw new CellRefusal(change, "does not decrypt for this cell: moved from another cell, replayed under other clocks, or damaged");
    }
    let value: Value;
    try {
      value = decodePlain(plain);
    } catch (error) {
      throw new CellRefusal(change, error instanceof Error ? error.message : "the decrypted value is malformed");
    }
    return withValue(change, value);
  }
}
