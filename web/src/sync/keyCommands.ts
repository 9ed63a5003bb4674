/**
 * The page's questions about the account key, answered in the owner's database worker (which
 * alone holds the keyring): adopt a secret from the phrase or a QR link, say whether the current
 * phrase was written down, hand out the secret to show, rotate after a revoke.
 */
import type { AccountKeyCommand, AccountKeyStatus } from "../db/protocol";
import { adoptSecret, PHRASE_TO_SHOW_SETTING } from "../crypto/keyDistribution";
import { rotateAccountKey } from "../crypto/keyRotation";
import type { SyncClient } from "./syncClient";

export async function runAccountKeyCommand(sync: SyncClient, command: AccountKeyCommand): Promise<unknown> {
  const keyring = await sync.keyring();
  switch (command.action) {
    case "adopt": {
      const session = sync.sessionApi();
      if (!session) throw new Error("sign in first, then enter the recovery phrase");
      await adoptSecret(command.secret, keyring, sync.exclusive, session.api);
      await sync.resume(); // syncs now, with the key
      return null;
    }
    case "status": {
      const current = keyring.current();
      if (!current) return null;
      const toShow = await sync.exclusive(async (db) => (await db.exec("SELECT value FROM local_settings WHERE key = ?", [PHRASE_TO_SHOW_SETTING])).rows[0]?.[0]);
      return { generation: current.generation, phraseNoted: toShow !== String(current.generation) } satisfies AccountKeyStatus;
    }
    case "secret": {
      const current = keyring.current();
      return current ? { secret: current.secret, generation: current.generation } : null;
    }
    case "noted":
      await sync.exclusive((db) => db.exec("DELETE FROM local_settings WHERE key = ? AND value = ?", [PHRASE_TO_SHOW_SETTING, String(command.generation)]));
      return null;
    case "rotate":
      return rotateAccountKey(sync, keyring);
  }
}
