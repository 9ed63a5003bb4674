/**
 * End-to-end encryption suite (`npm run bench -- encryption`), issue 14's numbers, each with
 * encryption against without in the same run, on the same path:
 * - seal and open throughput per change, over the changes of 10,000 notes (CPU time, in process);
 * - the upload of 10,000 notes by the account's first device (pull, seal, push, stored by the
 *   server): where sealing is paid;
 * - the first sync of a NEW device: the server already holds the 10,000 notes (as envelopes
 *   sealed when the first device uploaded them, or as plaintext on a plaintext account), and a
 *   fresh device receives, opens and applies them; the baseline receives and applies the same
 *   notes' plaintext. Wall time from connecting until the last note is applied, and this process's
 *   CPU time over the same span (the device's work: the server runs in workerd, another process);
 * - edit on A → applied on B (both devices holding the 10,000 notes), p50.
 * Devices are Node replicas (real cr-sqlite WASM, the app's SyncDb, SyncTransport, account-key
 * check and cell cipher; bench/nodeSyncDevice.ts) through the real local Worker (`wrangler dev`).
 * Rounds alternate with and without, so a slow moment of the shared machine hits both alike.
 */
import type { Change } from "@vlcn.io/ws-common";
import { mkdtempSync } from "node:fs";
import { randomBytes, randomUUID } from "node:crypto";
import { join } from "node:path";
import { logStats } from "../e2e/nodeDevice.ts";
import { LOCAL_CHANGE_COALESCE_MS } from "../shared/constants.ts";
import { ROOT, startLocalServer } from "../scripts/lib/localServer.ts";
import { openMemoryReplica } from "../testing/nodeReplica.ts";
import { fastAead, nobleAead } from "../web/src/crypto/aead.ts";
import { CellCipher } from "../web/src/crypto/cellCipher.ts";
import { createAccountKey, DeviceKeyring } from "../web/src/crypto/keyStore.ts";
import type { AccountKey } from "../web/src/crypto/keyring.ts";
import type { SqliteConnection } from "../web/src/db-worker/sqlite/connection.ts";
import { summarise, until, withTimeout, type Summary } from "./measure.ts";
import { nodeSyncDevice, type NodeSyncDevice } from "./nodeSyncDevice.ts";
import { failedMetric, fromSummaries, type Metric } from "./report.ts";

/** `BENCH_ENCRYPTION_NOTES` shrinks it for a quick look; the recorded figures are for 10,000. */
const NOTES = Number(process.env.BENCH_ENCRYPTION_NOTES ?? 10_000);
/** New devices synced per mode, alternating. */
const ROUNDS = Number(process.env.BENCH_ENCRYPTION_ROUNDS ?? 3);
const EDIT_SAMPLES = Number(process.env.BENCH_ENCRYPTION_EDITS ?? 40);
/** `BENCH_ENCRYPTION_PORT` moves the local server when another holds the port. */
const PORT = Number(process.env.BENCH_ENCRYPTION_PORT ?? 8790);
/** Bound of one upload or first sync of 10,000 notes on a loaded 2-core machine. */
const BULK_MS = 240_000;
const STEP_MS = 30_000;
const SUITE = "encryption";
const NAME = `${NOTES.toLocaleString("en")} notes`;

type Mode = "with" | "without";
const MODES: Mode[] = ["without", "with"];

/** CPU milliseconds this process has used (user + system). */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

async function originWithNotes(): Promise<SqliteConnection> {
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

/** Seal and open throughput over every change of the notes, in this process (CPU time). */
async function throughput(origin: SqliteConnection): Promise<Metric[]> {
  const { rows } = await origin.exec(`SELECT "table", "pk", "cid", "val", typeof("val"), "col_version", "db_version", NULL, "cl", "seq" FROM crsql_changes`);
  const plain: Change[] = rows.map(([t, pk, cid, val, type, cv, dv, , cl, seq]) => [t as string, pk as Uint8Array, cid as string, type === "integer" ? BigInt(val as number) : (val as never), BigInt(cv as number), BigInt(dv as number), null, BigInt(cl as number), Number(seq)]);
  const keyring = new DeviceKeyring([createAccountKey()], 0);
  /** CPU time to seal and open every change with one implementation (aead.ts). */
  const run = (cipher: CellCipher) => {
    let t0 = cpuMs();
    const sealed = plain.map((change) => cipher.seal(change));
    const sealMs = cpuMs() - t0;
    t0 = cpuMs();
    for (const change of sealed) cipher.open(change);
    return { sealMs, openMs: cpuMs() - t0 };
  };
  const fast = await fastAead();
  const ours = run(new CellCipher(keyring, fast));
  const noble = run(new CellCipher(keyring, nobleAead));
  const us = (ms: number) => ((ms * 1000) / plain.length).toFixed(1);
  console.log(`encryption: ${plain.length} changes; ${fast.name}: sealed in ${us(ours.sealMs)} µs each, opened in ${us(ours.openMs)} µs each (CPU); @noble/ciphers: ${us(noble.sealMs)}, ${us(noble.openMs)} µs`);
  const rate = (ms: number) => plain.length / (ms / 1000);
  return [
    { suite: SUITE, name: `seal (encrypt) throughput (${fast.name}), changes of ${NAME}, CPU time`, unit: "changes/s", ours: rate(ours.sealMs), baseline: rate(noble.sealMs), baselineName: "@noble/ciphers, pure JS", higherIsBetter: true },
    { suite: SUITE, name: `open (decrypt) throughput (${fast.name}), changes of ${NAME}, CPU time`, unit: "changes/s", ours: rate(ours.openMs), baseline: rate(noble.openMs), baselineName: "@noble/ciphers, pure JS", higherIsBetter: true },
  ];
}

interface Account {
  user: string;
  key: AccountKey | undefined;
  origin: SqliteConnection;
  changes: number;
  uploadMs: number;
}

/** The account's first device uploads the notes; resolves once the server has stored all of them. */
async function upload(url: string, secret: string, mode: Mode): Promise<Account> {
  const user = `enc-${mode}-${Date.now()}`;
  const key = mode === "with" ? createAccountKey() : undefined;
  const origin = await originWithNotes();
  const changes = Number((await origin.exec("SELECT count(*) FROM crsql_changes")).rows[0]![0]);
  const started = performance.now();
  const device = await nodeSyncDevice(origin, url, secret, user, "origin", key);
  try {
    await until(async () => (device.failure ? Promise.reject(new Error(device.failure)) : (await logStats(url, secret, user)).rows >= changes && !device.unacknowledged), BULK_MS, `${mode}: upload of ${NAME}`, 100);
  } finally {
    device.stop();
  }
  const uploadMs = performance.now() - started;
  console.log(`encryption: upload ${mode} encryption: ${changes} changes in ${uploadMs.toFixed(0)} ms`);
  return { user, key, origin, changes, uploadMs };
}

const notesOn = async (device: NodeSyncDevice) => Number(await device.read("SELECT count(*) FROM notes"));

/** A new device of the account receives every note; returns wall and CPU ms, and the device (still syncing). */
async function firstSync(url: string, secret: string, account: Account, deviceId: string) {
  const replica = await openMemoryReplica();
  const startedCpu = cpuMs();
  const started = performance.now();
  const device = await nodeSyncDevice(replica, url, secret, account.user, deviceId, account.key);
  try {
    await withTimeout(
      device.appliedUntil(async () => {
        if (device.failure) throw new Error(device.failure);
        return (await notesOn(device)) === NOTES;
      }),
      BULK_MS,
      `first sync of ${deviceId}`,
    );
  } catch (error) {
    device.stop();
    throw error;
  }
  return { wallMs: performance.now() - started, cpuMs: cpuMs() - startedCpu, device, replica };
}

/** A's title edit until B has applied it, alternating accounts sample by sample. */
async function editLatency(pairs: Record<Mode, { a: NodeSyncDevice; b: NodeSyncDevice; id: string }>): Promise<Record<Mode, number[]>> {
  const samples: Record<Mode, number[]> = { with: [], without: [] };
  for (let i = 1; i <= EDIT_SAMPLES + 3; i++) {
    for (const mode of MODES) {
      const { a, b, id } = pairs[mode];
      const title = `edit ${i}`;
      const seen = b.appliedUntil(async () => (await b.read("SELECT title FROM notes WHERE id = ?", [id])) === title);
      const t0 = performance.now();
      await a.write("UPDATE notes SET title = ? WHERE id = ?", [title, id]);
      await withTimeout(seen, STEP_MS, `${mode}: edit ${i} applied on B`);
      if (i > 3) samples[mode].push(performance.now() - t0); // the first few warm the sockets up
      await new Promise((r) => setTimeout(r, LOCAL_CHANGE_COALESCE_MS * 2)); // each edit its own burst
    }
  }
  return samples;
}

const fmtSummary = (s: Summary) => `${s.median.toFixed(0)} (${s.min.toFixed(0)}–${s.max.toFixed(0)})`;

export async function encryptionSuite(): Promise<Metric[]> {
  const metrics: Metric[] = [];
  const origin = await originWithNotes();
  metrics.push(...(await throughput(origin)));
  await origin.close();

  // The Worker serves the built app's directory; these devices never load it, so any build will do.
  const secret = randomBytes(32).toString("hex");
  const server = await startLocalServer({ port: PORT, persistTo: mkdtempSync(join(ROOT, ".tmp", "bench-encryption-")), authSecret: secret });
  const open: { stop(): void }[] = [];
  try {
    const accounts = {} as Record<Mode, Account>;
    for (const mode of MODES) accounts[mode] = await upload(server.url, secret, mode);
    const wall: Record<Mode, number[]> = { with: [], without: [] };
    const cpu: Record<Mode, number[]> = { with: [], without: [] };
    const last = {} as Record<Mode, NodeSyncDevice>;
    for (let round = 1; round <= ROUNDS; round++) {
      for (const mode of MODES) {
        const r = await firstSync(server.url, secret, accounts[mode], `new-${round}`);
        wall[mode].push(r.wallMs);
        cpu[mode].push(r.cpuMs);
        if (round === ROUNDS) {
          last[mode] = r.device; // kept for the edit latency
          open.push(r.device);
        } else {
          r.device.stop();
          await r.replica.close();
        }
        console.log(`encryption: round ${round}, ${mode} encryption: first sync ${r.wallMs.toFixed(0)} ms wall, ${r.cpuMs.toFixed(0)} ms CPU`);
      }
    }
    const s = (xs: number[]) => summarise(xs);
    // Each round's with/without pair ran back to back: its ratio is the least disturbed by the load moving.
    const paired = (x: Record<Mode, number[]>) => x.with.map((w, i) => (w / x.without[i]!).toFixed(2)).join(", ");
    console.log(`encryption: first sync, with/without per round: wall ${paired(wall)}; CPU ${paired(cpu)}`);
    console.log(`encryption: first sync of ${NAME}, wall ms with ${fmtSummary(s(wall.with))} / without ${fmtSummary(s(wall.without))} = ${(s(wall.with).median / s(wall.without).median).toFixed(2)}×; CPU ms with ${fmtSummary(s(cpu.with))} / without ${fmtSummary(s(cpu.without))} = ${(s(cpu.with).median / s(cpu.without).median).toFixed(2)}×`);
    metrics.push(
      { suite: SUITE, name: `upload of ${NAME} by the first device (pull, seal, push, stored), wall time, through the local Worker`, unit: "ms", ours: accounts.with.uploadMs, n: 1, baseline: accounts.without.uploadMs, baselineName: "the same without encryption" },
      fromSummaries(
        { suite: SUITE, name: `first sync of a new device, ${NAME} already on the server (receive, open, apply), wall time, through the local Worker`, unit: "ms", baselineName: "the same without encryption", target: "≤ 1.2× the time without" },
        s(wall.with),
        s(wall.without),
      ),
      fromSummaries(
        { suite: SUITE, name: `first sync of a new device, ${NAME} already on the server, this device's CPU time`, unit: "ms", baselineName: "the same without encryption", target: "≤ 1.2× the time without" },
        s(cpu.with),
        s(cpu.without),
      ),
    );

    try {
      const pairs = {} as Record<Mode, { a: NodeSyncDevice; b: NodeSyncDevice; id: string }>;
      for (const mode of MODES) {
        const a = await nodeSyncDevice(accounts[mode].origin, server.url, secret, accounts[mode].user, "origin", accounts[mode].key);
        open.push(a);
        const id = String(await a.read("SELECT id FROM notes ORDER BY id LIMIT 1"));
        pairs[mode] = { a, b: last[mode], id };
      }
      const edits = await editLatency(pairs);
      const withEdits = summarise(edits.with);
      const withoutEdits = summarise(edits.without);
      console.log(`encryption: edit → applied on B, p50 ms with ${fmtSummary(withEdits)} / without ${fmtSummary(withoutEdits)}: ${(withEdits.median - withoutEdits.median).toFixed(1)} ms more`);
      metrics.push(
        fromSummaries(
          { suite: SUITE, name: `edit on A → applied on B (Node replicas through the local Worker, ${NAME} on each), p50`, unit: "ms", baselineName: "the same without encryption", target: "≤ 5 ms more than without" },
          withEdits,
          withoutEdits,
        ),
      );
    } catch (error) {
      metrics.push(failedMetric(SUITE, "edit on A → applied on B, p50", error));
    }
  } finally {
    for (const device of open) device.stop();
    await server.stop();
  }
  return metrics;
}
