/**
 * End-to-end encryption suite (`npm run bench -- encryption`), in Node on real cr-sqlite replicas
 * (the sync WASM build) with the app's own adapter (SyncDb) and cipher (issue 14):
 * - seal and open throughput per change, over the changes of 10,000 notes;
 * - the first sync of a new device with 10,000 notes, with encryption against without, in the
 *   same run: every change pulled in frames from the origin device, sealed, opened and applied on
 *   the new one, as the stock stream drives the adapter. Replica to replica, no server or network
 *   in between (the server only stores and relays envelopes), so the ratio is the device's cost.
 * Times are this process's CPU time (user + system, `process.cpuUsage`), not wall time: the bench
 * machine is shared, and other processes' load changed wall times of the same run by 2× between
 * rounds; all of the work here (cr-sqlite WASM, the cipher) runs on this process's one thread.
 * Wall times are printed alongside.
 */
import type { Change } from "@vlcn.io/ws-common";
import { randomUUID } from "node:crypto";
import { openMemoryReplica } from "../testing/nodeReplica.ts";
import { serialised } from "../testing/replicaTools.ts";
import { CellCipher } from "../web/src/crypto/cellCipher.ts";
import { createAccountKey, DeviceKeyring } from "../web/src/crypto/keyStore.ts";
import { SyncDb } from "../web/src/sync/syncDb.ts";
import type { Metric } from "./report.ts";

/** `BENCH_ENCRYPTION_NOTES` shrinks it for a quick look; the recorded figure is for 10,000. */
const NOTES = Number(process.env.BENCH_ENCRYPTION_NOTES ?? 10_000);
/** Runs of each first sync, alternating, so a slow moment of a shared machine hits both alike. */
const ROUNDS = Number(process.env.BENCH_ENCRYPTION_ROUNDS ?? 2);
const SERVER = new Uint8Array(16).fill(9);
const key = createAccountKey();
const cipher = () => new CellCipher(new DeviceKeyring([key], 0));
/** The lower middle: with two rounds, the faster one (a shared machine only ever slows a run down). */
/** CPU milliseconds this process has used (user + system). */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

async function originWithNotes() {
  const db = await openMemoryReplica();
  const words = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor ".repeat(6);
  await db.transaction(async () => {
    for (let i = 0; i < NOTES; i += 500) {
      const rows = Array.from({ length: Math.min(500, NOTES - i) }, (_, j) => [randomUUID(), `Note ${i + j}`, `${words}${i + j}`, 1_764_000_000_000 + i + j]);
      await db.exec(`INSERT INTO notes (id, title, body, updated_at) VALUES ${rows.map(() => "(?, ?, ?, ?)").join(", ")}`, rows.flat());
    }
  });
  return db;
}

/** Pulls everything from `from` in frames and applies it on a new replica; returns ms and changes. */
async function firstSync(from: Awaited<ReturnType<typeof openMemoryReplica>>, encrypted: boolean): Promise<{ ms: number; wallMs: number; changes: number }> {
  const to = await openMemoryReplica();
  const started = performance.now();
  const startedCpu = cpuMs();
  const sender = await SyncDb.open(serialised(from), {}, encrypted ? cipher() : undefined);
  const receiver = await SyncDb.open(serialised(to), {}, encrypted ? cipher() : undefined);
  const transport = sender.watchSends({ sendChanges: (_msg: never) => "sent" as const });
  let since: [bigint, number] = [0n, 0];
  let changes = 0;
  let serverSeq = 0n;
  for (let chunk = await sender.pullChangeset(since, [SERVER]); chunk.length > 0; chunk = await sender.pullChangeset(since, [SERVER])) {
    transport.sendChanges(undefined as never);
    since = [chunk.at(-1)![5], 0];
    // As the server relays: its own sequence as db_version, no site id.
    const relayed = chunk.map((c): Change => [c[0], c[1], c[2], c[3], c[4], ++serverSeq, null, c[7], 0]);
    await receiver.applyChangesetAndSetLastSeen(relayed, SERVER, [serverSeq, 0]);
    changes += chunk.length;
  }
  const ms = cpuMs() - startedCpu;
  const wallMs = performance.now() - started;
  const [[count]] = (await to.exec("SELECT count(*) FROM notes")).rows as [[number]];
  if (count !== NOTES) throw new Error(`encryption bench: the new device has ${count} notes, not ${NOTES}`);
  await to.close();
  return { ms, wallMs, changes };
}

export async function encryptionSuite(): Promise<Metric[]> {
  const origin = await originWithNotes();
  const { rows } = await origin.exec(`SELECT "table", "pk", "cid", "val", typeof("val"), "col_version", "db_version", NULL, "cl", "seq" FROM crsql_changes`);
  const plain: Change[] = rows.map(([t, pk, cid, val, type, cv, dv, , cl, seq]) => [t as string, pk as Uint8Array, cid as string, type === "integer" ? BigInt(val as number) : (val as never), BigInt(cv as number), BigInt(dv as number), null, BigInt(cl as number), Number(seq)]);
  const c = cipher();
  let t0 = cpuMs();
  const sealed = plain.map((change) => c.seal(change));
  const sealMs = cpuMs() - t0;
  t0 = cpuMs();
  for (const change of sealed) c.open(change);
  const openMs = cpuMs() - t0;

  const plainRuns: number[] = [];
  const sealedRuns: number[] = [];
  let changes = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const p = await firstSync(origin, false);
    const e = await firstSync(origin, true);
    plainRuns.push(p.ms);
    sealedRuns.push(e.ms);
    console.log(`encryption: round ${round + 1}: CPU ${p.ms.toFixed(0)} ms without, ${e.ms.toFixed(0)} ms with (wall ${p.wallMs.toFixed(0)} / ${e.wallMs.toFixed(0)} ms)`);
    changes = p.changes;
  }
  await origin.close();
  const withMs = median(sealedRuns);
  const withoutMs = median(plainRuns);
  console.log(`encryption: ${plain.length} changes sealed in ${sealMs.toFixed(0)} ms CPU, opened in ${openMs.toFixed(0)} ms CPU; first sync of ${NOTES} notes (${changes} changes): ${withMs.toFixed(0)} ms encrypted, ${withoutMs.toFixed(0)} ms not (medians of ${ROUNDS}: ${sealedRuns.map((x) => x.toFixed(0)).join(", ")} / ${plainRuns.map((x) => x.toFixed(0)).join(", ")})`);
  return [
    { suite: "encryption", name: "seal (encrypt) throughput, changes of 10,000 notes", unit: "changes/s", ours: plain.length / (sealMs / 1000), higherIsBetter: true },
    { suite: "encryption", name: "open (decrypt) throughput, changes of 10,000 notes", unit: "changes/s", ours: sealed.length / (openMs / 1000), higherIsBetter: true },
    {
      suite: "encryption",
      name: "first sync of a new device, 10,000 notes, replica to replica (pull, seal, open, apply), CPU time",
      unit: "ms",
      ours: withMs,
      baseline: withoutMs,
      baselineName: "the same without encryption",
      target: "≤ 1.2× the time without",
    },
  ];
}
