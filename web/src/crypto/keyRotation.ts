/**
 * Rotating the account key after a revoke, on a remaining device (worker thread). Filled in once
 * the encrypted data path (cellCipher) is there: see the report of branch h14b.
 */
import type { SyncClient } from "../sync/syncClient";
import type { DeviceKeyring } from "./keyStore";

export async function rotateAccountKey(_sync: SyncClient, _keyring: DeviceKeyring): Promise<{ generation: number }> {
  throw new Error("rotating the account key is not available in this version yet");
}
