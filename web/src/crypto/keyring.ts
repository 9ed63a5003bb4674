/**
 * The seam between end-to-end encryption of sync (which uses keys) and key management (which
 * makes, stores, distributes and rotates them). Both sides code against this interface only.
 *
 * - `secret` is one generation of the account key: 32 random bytes, made by the account's first
 *   device or by a rotation. The recovery phrase encodes it. Cell keys are derived from it.
 * - `idKey` is the key for ids derived from content (entity ids). It stays the same across
 *   rotations, or every tag would change id and duplicate when the key rotates.
 * - `keyId` names a generation without revealing it (derived one-way from `secret`); the server
 *   keeps the current one so a device holding the wrong key is told, and never writes with it.
 */
export interface AccountKey {
  generation: number;
  keyId: string;
  secret: Uint8Array;
  idKey: Uint8Array;
}

export interface Keyring {
  /** The key new changes are written with; undefined while this device has no account key yet. */
  current(): AccountKey | undefined;
  /** A known generation (the current one or an older one still needed to read), if this device has it. */
  generation(generation: number): AccountKey | undefined;
  /** Called with the new current key whenever it changes (adopted, created, rotated). */
  onChange(listener: (key: AccountKey | undefined) => void): () => void;
}
