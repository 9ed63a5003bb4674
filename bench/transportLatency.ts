/**
 * Edit → applied on the other device, CoBrain's transport against the stock `@vlcn.io/ws-client`
 * WebSocketTransport with its defaults, in the same run: two Node devices each holding the same
 * notes (real cr-sqlite replicas, the app's SyncDb adapter on both), through the real local Worker.
 * Only the transport differs; our side also has the app's leading-edge coalescing.
 */
import { defaultConfig, type Transport } from "@vlcn.io/ws-client";
import { LOCAL_CHANGE_COALESCE_MS } from "../shared/constants.ts";
import { openMemoryReplica } from "../testing/nodeReplica.ts";
import { applyChanges, pullChanges, siteIdOf } from "../web/src/db-worker/changes.ts";
import { DatabaseHost } from "../web/src/db-worker/host.ts";
import { Coalescer } from "../web/src/sync/coalesce.ts";
import { SyncDb } from "../web/src/sync/syncDb.ts";
import { SyncTransport } from "../web/src/sync/transport.ts";
import type { SqliteConnection } from "../web/src/db-worker/sqlite/connection.ts";
import { mintToken } from "../worker/auth.ts";
import { summarise, withTimeout, type Summary } from "./measure.ts";

const SAMPLES = 60;
const STEP_MS = 30_000;
const alwaysOnline = { online: true, watch: () => () => {} };

async function device(connection: SqliteConnection, url: string, secret: string, user: string, deviceId: string, kind: "ours" | "stock") {
  const host = new DatabaseHost(connection);
  const applied = new Set<() => void>();
  const syncDb = await SyncDb.open((fn) => host.exclusive(fn), { onApplyEnd: () => applied.forEach((f) => f()) });
  const token = await mintToken(secret, { userId: user, deviceId });
  let transport: Transport & { close(): void };
  if (kind === "ours") {
    transport = new SyncTransport({
      serverUrl: url,
      room: user,
      getToken: async () => token,
      lastSeens: () => syncDb.getLastSeens(),
      onState: () => {},
      onStreaming: () => {},
      onAck: () => {},
      onApplyError: () => {},
      network: alwaysOnline,
    });
  } else {
    transport = defaultConfig.transportProvider({ url: `${url.replace(/^http/, "ws")}/sync`, room: user, authToken: token }) as Transport & { close(): void };
  }
  const synced = await syncDb.syncOver(transport, { url, room: user });
  await synced.start();
  const coalescer = new Coalescer(() => syncDb.notifyLocalChange(), LOCAL_CHANGE_COALESCE_MS);
  return {
    write: async (sql: string, params: string[]) => {
      await host.exclusive((c) => c.exec(sql, params));
      // Ours: as the app's worker does after a page write. Stock: every write notifies at once.
      if (kind === "ours") coalescer.notify();
      else syncDb.notifyLocalChange();
    },
    /** Resolves when the next incoming batch has been applied and `check` holds. */
    appliedUntil: (check: () => Promise<boolean>) =>
      new Promise<void>((resolve) => {
        const listener = () =>
          void check().then((ok) => {
            if (ok) {
              applied.delete(listener);
              resolve();
            }
          });
        applied.add(listener);
      }),
    read: async (sql: string) => (await host.exclusive((c) => c.exec(sql))).rows[0]?.[0],
    stop: () => {
      coalescer.cancel();
      synced.stop();
    },
  };
}

async function run(url: string, secret: string, notes: number, kind: "ours" | "stock"): Promise<number[]> {
  const user = `latency-${kind}-${Date.now()}`;
  // Both devices hold the same `notes` notes before they connect (B got A's changes directly).
  const a = await openMemoryReplica();
  const b = await openMemoryReplica();
  await a.transaction(async () => {
    for (let i = 0; i < notes; i += 500) {
      const ids = Array.from({ length: Math.min(500, notes - i) }, (_, j) => i + j);
      await a.exec(`INSERT INTO notes (id, title, body) VALUES ${ids.map(() => "(?, ?, ?)").join(", ")}`, ids.flatMap((k) => [`n${k}`, `note ${k}`, `Body of note ${k}. `.repeat(4)]));
    }
  });
  await applyChanges(b, await siteIdOf(a), await pullChanges(a, 0n));
  const devB = await device(b, url, secret, user, "b", kind);
  const devA = await device(a, url, secret, user, "a", kind);
  try {
    // A's notes reach the server (B already has them); a marker tells when A's stream is done.
    const ready = devB.appliedUntil(async () => (await devB.read("SELECT count(*) FROM notes WHERE id = 'ready'")) === 1);
    await devA.write("INSERT INTO notes (id, title) VALUES ('ready', 'ready')", []);
    await withTimeout(ready, 180_000, `${kind}: A's notes reached the server`);
    const samples: number[] = [];
    for (let i = 1; i <= SAMPLES + 5; i++) {
      const title = `edit ${i}`;
      const seen = devB.appliedUntil(async () => (await devB.read(`SELECT title FROM notes WHERE id = 'ready'`)) === title);
      const t0 = performance.now();
      await devA.write("UPDATE notes SET title = ? WHERE id = 'ready'", [title]);
      await withTimeout(seen, STEP_MS, `${kind}: edit ${i} applied on B`);
      if (i > 5) samples.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, LOCAL_CHANGE_COALESCE_MS * 2)); // each edit its own burst
    }
    return samples;
  } finally {
    devA.stop();
    devB.stop();
  }
}

/** Median with min and max of edit → applied, ours and stock, same server, same run. */
export async function nodeEditLatency(url: string, secret: string, notes: number): Promise<{ ours: Summary; stock: Summary }> {
  const ours = await run(url, secret, notes, "ours");
  const stock = await run(url, secret, notes, "stock");
  return { ours: summarise(ours), stock: summarise(stock) };
}
