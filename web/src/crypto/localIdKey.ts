/**
 * The entity id key of a device that has no account key yet (used offline before its first sign
 * in, or waiting for the key): random, kept in `local_settings`, never sent anywhere. Its ids are
 * moved to the account's when the device adopts the account key (entityRekey.ts).
 */
import type { SqliteConnection } from "../db-worker/sqlite/connection";
import { toHex } from "./bytes";
import { newSecret } from "./keyDerivation";

export const LOCAL_ID_KEY_SETTING = "crypto.localIdKey";

/** This device's own id key, hex; made on first use. */
export async function localIdKey(db: SqliteConnection): Promise<string> {
  const { rows } = await db.exec("SELECT value FROM local_settings WHERE key = ?", [LOCAL_ID_KEY_SETTING]);
  if (rows[0]) return String(rows[0][0]);
  const key = toHex(newSecret());
  await db.exec("INSERT INTO local_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", [LOCAL_ID_KEY_SETTING, key]);
  return String((await db.exec("SELECT value FROM local_settings WHERE key = ?", [LOCAL_ID_KEY_SETTING])).rows[0]![0]);
}
