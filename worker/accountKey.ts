/**
 * The id of the account's current key generation, as the server keeps it (issue 14). The server
 * never holds a key: only its id (a one-way derivation of the secret, web/src/crypto/
 * keyDerivation.ts) and generation, so a device that writes with an old or wrong key is refused
 * instead of filling the log with values the other devices cannot read.
 *
 * Set once, compare-and-set: the account's first device to sign in creates the key and registers
 * its id; a second device racing it loses and must get the key from a device that holds it.
 */
import type { SqlExec } from "./sqlStore";

export const ACCOUNT_KEY_SQL = `
  CREATE TABLE IF NOT EXISTS account_key (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    key_id TEXT NOT NULL,
    generation INTEGER NOT NULL,
    set_at INTEGER NOT NULL
  );
`;

/** A key id is 128 bits of hex (deriveKeyId). */
export const KEY_ID_PATTERN = /^[0-9a-f]{32}$/;

export interface AccountKeyRecord {
  keyId: string;
  generation: number;
}

export class AccountKeyStore {
  constructor(private readonly sql: SqlExec) {}

  current(): AccountKeyRecord | undefined {
    const row = this.sql.exec("SELECT key_id, generation FROM account_key WHERE one = 1").toArray()[0];
    return row ? { keyId: String(row.key_id), generation: Number(row.generation) } : undefined;
  }

  /**
   * Registers the account's first key id if there is none yet. Returns the key id now current and
   * whether this call set it (false: another device was first, or the same id was already set).
   */
  init(record: AccountKeyRecord, now = Date.now()): { current: AccountKeyRecord; created: boolean } {
    const written = this.sql.exec(
      "INSERT INTO account_key (one, key_id, generation, set_at) VALUES (1, ?, ?, ?) ON CONFLICT (one) DO NOTHING",
      record.keyId,
      record.generation,
      now,
    ).rowsWritten;
    return { current: this.current()!, created: written > 0 };
  }
}
