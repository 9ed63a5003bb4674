/**
 * Test transport: a `Worker`-shaped object whose requests run on a real DatabaseHost in the same
 * process (Node), so DbClient, Drizzle and live queries can be tested against real cr-sqlite
 * without a browser. It has no sync client, so sync commands are answered with an error.
 * The browser's real worker is covered by the end-to-end tests.
 */
import { DatabaseHost } from "../web/src/db-worker/host";
import { READS } from "../web/src/db-worker/reads";
import type { SqliteConnection } from "../web/src/db-worker/sqlite/connection";
import { isDbRequest, type FromWorker, type ToWorker } from "../web/src/db/protocol";

/** `host` lets a caller share the connection's queue (e.g. with a SyncDb, as the real worker does). */
export function inProcessWorker(connection: SqliteConnection, host = new DatabaseHost(connection, undefined, { reads: READS })): Worker {
  const port = {
    onmessage: null as ((event: MessageEvent<FromWorker>) => void) | null,
    onerror: null,
    postMessage(message: ToWorker) {
      const send = (data: FromWorker) => queueMicrotask(() => port.onmessage?.({ data } as MessageEvent<FromWorker>));
      if (message.type === "init") send({ type: "status", status: { role: "owner", storage: "memory" } });
      if (message.type !== "request") return;
      const { id, request } = message;
      if (!isDbRequest(request)) {
        send({ type: "response", id, response: { ok: false, error: `${request.kind} needs a sync client, which this test worker has not` } });
        return;
      }
      host.handle(request).then(
        ({ value, changed }) => {
          send({ type: "response", id, response: { ok: true, value } });
          if (changed.length > 0) send({ type: "changed", tables: changed });
        },
        (error: Error) => send({ type: "response", id, response: { ok: false, error: error.message } }),
      );
    },
  };
  return port as unknown as Worker;
}
