/**
 * A Node device for the encryption benchmarks, wired as the app's database worker wires sync
 * (web/src/sync/syncClient.ts): a real cr-sqlite replica behind one DatabaseHost queue, SyncDb
 * over CoBrain's SyncTransport (Node 22's WebSocket) to the real local Worker, the account-key
 * check before each connection and the cell cipher when `key` is given; without it, the same
 * device on a plaintext account. Local writes nudge the stream through the app's leading-edge
 * coalescer.
 */
import { LOCAL_CHANGE_COALESCE_MS } from "../shared/constants.ts";
import { serverApi } from "../web/src/api/serverApi.ts";
import { checkAccountKey, serverAccountKeyApi } from "../web/src/crypto/accountKeyCheck.ts";
import { CellCipher } from "../web/src/crypto/cellCipher.ts";
import { DeviceKeyring } from "../web/src/crypto/keyStore.ts";
import type { AccountKey } from "../web/src/crypto/keyring.ts";
import { DatabaseHost } from "../web/src/db-worker/host.ts";
import type { SqlParam, SqliteConnection } from "../web/src/db-worker/sqlite/connection.ts";
import { Coalescer } from "../web/src/sync/coalesce.ts";
import { SyncDb } from "../web/src/sync/syncDb.ts";
import { mintToken } from "../worker/auth.ts";
import { benchTransport } from "./benchTransport.ts";

export type NodeSyncDevice = Awaited<ReturnType<typeof nodeSyncDevice>>;

export async function nodeSyncDevice(connection: SqliteConnection, url: string, secret: string, userId: string, deviceId: string, key?: AccountKey) {
  const host = new DatabaseHost(connection);
  const exclusive = <T>(fn: (db: SqliteConnection) => Promise<T>) => host.exclusive(fn);
  const applied = new Set<() => void>();
  let failure: string | undefined;
  const keyring = key ? new DeviceKeyring([key], key.generation) : undefined;
  const syncDb = await SyncDb.open(exclusive, { onApplyEnd: () => applied.forEach((f) => f()), onRefused: (r) => (failure = `refused: ${r[0]?.reason}`) }, keyring && (await CellCipher.create(keyring)));
  const token = () => mintToken(secret, { userId, deviceId });
  const transport = benchTransport(
    syncDb,
    { serverUrl: url, room: userId, getToken: token, accountKey: keyring && (() => checkAccountKey(keyring, exclusive, serverAccountKeyApi(serverApi(url, { token })))) },
    (reason) => (failure = reason),
  );
  const synced = await syncDb.syncOver(transport, { url, room: userId });
  await synced.start();
  const coalescer = new Coalescer(() => syncDb.notifyLocalChange(), LOCAL_CHANGE_COALESCE_MS);
  const read = async (sql: string, params: SqlParam[] = []) => (await exclusive((c) => c.exec(sql, params))).rows[0]?.[0];
  return {
    /** A local write, then a nudge to the outbound stream (as the app's worker does after a page write). */
    write: async (sql: string, params: SqlParam[]) => {
      await exclusive((c) => c.exec(sql, params));
      coalescer.notify();
    },
    read,
    /** Resolves once an incoming batch has been applied and `check` holds (checked now too). */
    appliedUntil: (check: () => Promise<boolean>) =>
      new Promise<void>((resolve, reject) => {
        const listener = () =>
          void check().then((ok) => {
            if (ok) {
              applied.delete(listener);
              resolve();
            }
          }, reject);
        applied.add(listener);
        listener();
      }),
    get failure() {
      return failure;
    },
    get unacknowledged() {
      return transport.unacknowledged;
    },
    stop: () => {
      coalescer.cancel();
      synced.stop();
      transport.close();
    },
  };
}
