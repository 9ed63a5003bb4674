/**
 * Cell encryption (issue 14): every value of every replicated table is sealed on the device
 * before it leaves and opened before it is applied; the server stores and relays envelopes only
 * (shared/envelope.ts). XChaCha20-Poly1305 (aead.ts: libsodium, or @noble/ciphers where WebAssembly
 * cannot start; 192-bit random nonces are safe for any number of values under one key;
 * synchronous, so a 10,000-note sync does not await per cell). Row sentinels (cid "-1", no value) are sealed too, as an encrypted NULL, so a
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
import { fastAead, nobleAead, type Aead } from "./aead";
import type { Change } from "@vlcn.io/ws-common";
import { ENVELOPE_HEADER_BYTES, ENVELOPE_TAG_BYTES, ENVELOPE_VERSION, envelopeGeneration, envelopeProblem, writeGeneration } from "../../../shared/envelope";
import { AlignedOutput, AssociatedData, NONCE_BYTES, NoncePool, PlainCodec } from "./cellBytes";
import { deriveCellKey } from "./keyDerivation";
import type { AccountKey, Keyring } from "./keyring";

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

const NONCE_AT = ENVELOPE_HEADER_BYTES - NONCE_BYTES;

/** The change with another value (index access, not destructuring: this runs once per cell). */
const withValue = (c: Change, value: Value): Change => [c[0], c[1], c[2], value, c[4], c[5], c[6], c[7], c[8]];

export class CellCipher {
  readonly #keyring: Keyring;
  readonly #aead: Aead;
  /** Derived cell keys by generation (derivation is HKDF: cheap, but not per cell). */
  readonly #cellKeys = new Map<string, Uint8Array>();
  /** Buffers reused from cell to cell (cellBytes.ts): one cipher serves one thread, one call at a time. */
  readonly #ad = new AssociatedData();
  readonly #plain = new PlainCodec();
  readonly #nonces = new NoncePool();
  readonly #out = new AlignedOutput();

  /** `aead`: @noble/ciphers by default, which needs no start-up; `CellCipher.create` picks the fast one. */
  constructor(keyring: Keyring, aead: Aead = nobleAead) {
    this.#keyring = keyring;
    this.#aead = aead;
  }

  /** A cipher on the fastest AEAD this environment can run (aead.ts). */
  static async create(keyring: Keyring): Promise<CellCipher> {
    return new CellCipher(keyring, await fastAead());
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
    const plain = this.#plain.encode(change[3]);
    const nonce = this.#out.nonce;
    this.#nonces.writeInto(nonce);
    const sealed = this.#aead.seal(this.#cellKey(key), nonce, this.#ad.of(ENVELOPE_VERSION, key.generation, change), plain, this.#out.of(plain.length + ENVELOPE_TAG_BYTES));
    const envelope = new Uint8Array(ENVELOPE_HEADER_BYTES + sealed.length);
    envelope[0] = ENVELOPE_VERSION;
    writeGeneration(envelope, key.generation);
    envelope.set(nonce, NONCE_AT);
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
    const sealed = bytes.subarray(ENVELOPE_HEADER_BYTES);
    const length = sealed.length - ENVELOPE_TAG_BYTES;
    const nonce = this.#out.nonce;
    nonce.set(bytes.subarray(NONCE_AT, ENVELOPE_HEADER_BYTES));
    try {
      // Into an aligned buffer (noble deciphers in place, libsodium's result is copied in); the ciphertext is only read.
      this.#aead.open(this.#cellKey(key), nonce, this.#ad.of(bytes[0]!, generation, change), sealed, this.#plain.output(length));
    } catch {
      throw new CellRefusal(change, "does not decrypt for this cell: moved from another cell, replayed under other clocks, or damaged");
    }
    let value: Value;
    try {
      value = this.#plain.decode(length);
    } catch (error) {
      throw new CellRefusal(change, error instanceof Error ? error.message : "the decrypted value is malformed");
    }
    return withValue(change, value);
  }
}
