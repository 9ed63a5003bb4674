/**
 * The device's keyring, kept in `local_settings` (never replicated: a key must never travel in a
 * change). One row holds every generation this device knows and which one is current.
 *
 * - `createAccountKey()` makes generation 0 of a new account's key (only the account's first
 *   device does, and only after the server has no key id yet: see accountKeyCheck.ts).
 * - `adoptKey(db, key)` stores a generation (created here, or received from another device) and
 *   makes it current if it is the newest known.
 * - `loadKeyring(db)` / `DeviceKeyring` give the sync code the `Keyring` interface (keyring.ts).
 */
import type { SqliteConnection } from "../db-worker/sqlite/connection";
import { fromHex, toHex } from "./bytes";
import { deriveIdKey, deriveKeyId, KEY_BYTES, newSecret } from "./keyDerivation";
import type { AccountKey, Keyring } from "./keyring";

/** The `local_settings` key of the stored keyring. */
export const KEYRING_SETTING = "crypto.keyring";

interface StoredKeyring {
  current: number;
  keys: { generation: number; secret: string; idKey: string }[];
}

/** An account key of `generation` from its secret; `idKey` is carried from generation 0. */
export function accountKeyFrom(secret: Uint8Array, generation: number, idKey: Uint8Array = deriveIdKey(secret)): AccountKey {
  if (secret.length !== KEY_BYTES || idKey.length !== KEY_BYTES) throw new Error(`an account key is ${KEY_BYTES} bytes`);
  if (!Number.isSafeInteger(generation) || generation < 0) throw new Error("a key generation is a whole number from 0");
  return { generation, keyId: deriveKeyId(secret), secret, idKey };
}

/** Generation 0 of a new account's key: fresh random secret, id key derived from it. */
export function createAccountKey(): AccountKey {
  return accountKeyFrom(newSecret(), 0);
}

function parse(text: string | undefined): AccountKey[] {
  if (!text) return [];
  const stored = JSON.parse(text) as StoredKeyring;
  return stored.keys.map((k) => accountKeyFrom(fromHex(k.secret), k.generation, fromHex(k.idKey)));
}

async function read(db: SqliteConnection): Promise<{ keys: AccountKey[]; current: number | undefined }> {
  const { rows } = await db.exec("SELECT value FROM local_settings WHERE key = ?", [KEYRING_SETTING]);
  const text = rows[0]?.[0] as string | undefined;
  if (!text) return { keys: [], current: undefined };
  return { keys: parse(text), current: (JSON.parse(text) as StoredKeyring).current };
}

async function write(db: SqliteConnection, keys: readonly AccountKey[], current: number | undefined): Promise<void> {
  if (current === undefined || keys.length === 0) {
    await db.exec("DELETE FROM local_settings WHERE key = ?", [KEYRING_SETTING]);
    return;
  }
  const stored: StoredKeyring = { current, keys: keys.map((k) => ({ generation: k.generation, secret: toHex(k.secret), idKey: toHex(k.idKey) })) };
  await db.exec("INSERT INTO local_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [
    KEYRING_SETTING,
    JSON.stringify(stored),
  ]);
}

/** A keyring over stored keys; changes go through `adoptKey`/`forgetKey` so they are persisted first. */
export class DeviceKeyring implements Keyring {
  readonly #keys = new Map<number, AccountKey>();
  #current: number | undefined;
  readonly #listeners = new Set<(key: AccountKey | undefined) => void>();

  constructor(keys: readonly AccountKey[] = [], current?: number) {
    for (const key of keys) this.#keys.set(key.generation, key);
    this.#current = current !== undefined && this.#keys.has(current) ? current : undefined;
  }

  current(): AccountKey | undefined {
    return this.#current === undefined ? undefined : this.#keys.get(this.#current);
  }

  generation(generation: number): AccountKey | undefined {
    return this.#keys.get(generation);
  }

  onChange(listener: (key: AccountKey | undefined) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Every generation held, oldest first. */
  all(): AccountKey[] {
    return [...this.#keys.values()].sort((a, b) => a.generation - b.generation);
  }

  /** Stores `key` (persisted by the caller's `db` first) and makes it current if it is the newest. */
  async adopt(db: SqliteConnection, key: AccountKey): Promise<void> {
    const known = this.#keys.get(key.generation);
    if (known && known.keyId !== key.keyId) throw new Error(`this device already holds another key of generation ${key.generation}`);
    const current = this.#current === undefined || key.generation >= this.#current ? key.generation : this.#current;
    await write(db, [...[...this.#keys.values()].filter((k) => k.generation !== key.generation), key], current);
    this.#keys.set(key.generation, key);
    const changed = current !== this.#current || !known;
    this.#current = current;
    if (changed && current === key.generation) this.#emit();
  }

  /** Drops one generation (a key made here that lost the race to be the account's first). */
  async forget(db: SqliteConnection, generation: number): Promise<void> {
    if (!this.#keys.has(generation)) return;
    const rest = [...this.#keys.values()].filter((k) => k.generation !== generation);
    const current = this.#current === generation ? (rest.length ? Math.max(...rest.map((k) => k.generation)) : undefined) : this.#current;
    await write(db, rest, current);
    this.#keys.delete(generation);
    const changed = current !== this.#current;
    this.#current = current;
    if (changed) this.#emit();
  }

  #emit(): void {
    const key = this.current();
    for (const listener of this.#listeners) listener(key);
  }
}

/** The keyring stored on this device (empty before it has the account key). */
export async function loadKeyring(db: SqliteConnection): Promise<DeviceKeyring> {
  const { keys, current } = await read(db);
  return new DeviceKeyring(keys, current);
}

/** Stores `key` on the device; for callers that do not hold the sync's live keyring. */
export async function adoptKey(db: SqliteConnection, key: AccountKey): Promise<void> {
  const ring = await loadKeyring(db);
  await ring.adopt(db, key);
}
