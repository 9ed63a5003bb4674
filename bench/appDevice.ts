/**
 * A device for Node benchmarks that is wired as the app's database worker wires it: one real
 * cr-sqlite replica behind one DatabaseHost queue, Drizzle (the app's repositories) on top, and
 * SyncDb over CoBrain's own SyncTransport (Node 22's WebSocket) to the real local Worker, with
 * acknowledgements making sent text the merge ancestors (web/src/sync/syncClient.ts).
 */
import { DbClient } from "../web/src/db/client.ts";
import { createDrizzle } from "../web/src/db/drizzle.ts";
import { DatabaseHost } from "../web/src/db-worker/host.ts";
import { SyncDb } from "../web/src/sync/syncDb.ts";
import { inProcessWorker } from "../testing/inProcessWorker.ts";
import { openMemoryReplica } from "../testing/nodeReplica.ts";
import { mintToken } from "../worker/auth.ts";
import { benchTransport } from "./benchTransport.ts";

export async function appDevice(serverUrl: string, secret: string, userId: string, deviceId: string) {
  const connection = await openMemoryReplica();
  const host = new DatabaseHost(connection);
  const db = createDrizzle(new DbClient(inProcessWorker(connection, host)));
  const syncDb = await SyncDb.open((fn) => host.exclusive(fn));
  let failure: string | undefined;
  const transport = benchTransport(syncDb, { serverUrl, room: userId, getToken: () => mintToken(secret, { userId, deviceId }) }, (reason) => (failure = reason));
  const synced = await syncDb.syncOver(transport, { url: serverUrl, room: userId });
  await synced.start();
  return {
    db,
    connection,
    /** The app's worker nudges the outbound stream after each page write; so does this. */
    changed: () => syncDb.notifyLocalChange(),
    get failure() {
      return failure;
    },
    get unacknowledged() {
      return transport.unacknowledged;
    },
    one: async (sql: string, params: (string | number)[] = []) => Number((await host.exclusive((c) => c.exec(sql, params))).rows[0]?.[0] ?? 0),
    stop: () => {
      synced.stop();
      transport.close();
    },
  };
}
