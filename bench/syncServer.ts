/**
 * Sync server suite, over the real local Worker + Durable Object (wrangler dev, loopback):
 * ingest rate by batch size, A → DO → B relay latency, and log size after many edits.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { tags, type Change, type Changes } from "@vlcn.io/ws-common";
import { converge, logStats, NodeDevice } from "../e2e/nodeDevice.ts";
import { ROOT, startLocalServer } from "../scripts/lib/localServer.ts";
import { pullChanges } from "../web/src/db-worker/changes.ts";
import { RawDevice, textPk } from "../e2e/rawDevice.ts";
import type { Metric } from "./report.ts";

/** `BENCH_SYNC_PORT` moves it when another server holds the port. */
const PORT = Number(process.env.BENCH_SYNC_PORT ?? 8797);
/** Changes pushed per ingest run; bounded so the run stays short. */
const INGEST_CHANGES = 20_000;
const RELAY_SAMPLES = 200;
const NOTES = 100;
const EDITS_PER_NOTE = 100;
/** The backlog a new device catches up on, one page per acknowledgement. */
const BACKLOG_CHANGES = 50_000;

async function until(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("benchmark step timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/** Pushes `total` one-cell changes in messages of `batch`; done when B has received them all. */
export async function ingest(url: string, secret: string, batch: number, total: number): Promise<number> {
  const user = `ingest-${batch}-${Date.now()}`;
  const a = await RawDevice.connect(url, secret, user, "a");
  const b = await RawDevice.connect(url, secret, user, "b");
  let received = 0;
  const done = new Promise<void>((resolve) => {
    b.onMessage = (msg) => {
      if (msg._tag === tags.Changes) received += (msg as Changes).changes.length;
      if (received >= total) resolve();
    };
  });
  const started = performance.now();
  for (let version = 1; version <= total / batch; version++) {
    const changes: Change[] = Array.from({ length: batch }, (_, i) => ["notes", textPk(`n${version}-${i}`), "title", `title ${i}`, 1n, BigInt(version), null, 1n, i]);
    a.push(changes, BigInt(version - 1));
  }
  await done;
  const seconds = (performance.now() - started) / 1000;
  a.close();
  b.close();
  return total / seconds;
}

async function relayLatency(url: string, secret: string): Promise<{ p50: number; p95: number }> {
  const user = `relay-${Date.now()}`;
  const a = await RawDevice.connect(url, secret, user, "a");
  const b = await RawDevice.connect(url, secret, user, "b");
  const samples: number[] = [];
  for (let i = 1; i <= RELAY_SAMPLES + 20; i++) {
    const arrived = b.next(tags.Changes);
    const t0 = performance.now();
    a.push([["notes", textPk("n1"), "title", `edit ${i}`, BigInt(i), BigInt(i), null, 1n, 0]], BigInt(i - 1));
    await arrived;
    if (i > 20) samples.push(performance.now() - t0); // the first ones warm the DO up
  }
  a.close();
  b.close();
  samples.sort((x, y) => x - y);
  return { p50: quantile(samples, 0.5), p95: quantile(samples, 0.95) };
}

/**
 * A new device catching up on a 50,000-change backlog, acknowledging each page with a Ping as
 * the app does: the largest invocation of the Durable Object in rows and bytes sent, and the
 * longest Ping → Pong round trip (that invocation plus loopback: an upper bound on its time).
 */
async function backlogPaging(url: string, secret: string) {
  const user = `backlog-${Date.now()}`;
  const a = await RawDevice.connect(url, secret, user, "a");
  for (let v = 0; v < BACKLOG_CHANGES / 5_000; v++) {
    const changes: Change[] = Array.from({ length: 5_000 }, (_, i) => ["notes", textPk(`n${v}-${i}`), "title", `title ${v}-${i}`, 1n, BigInt(v + 1), null, 1n, i]);
    a.push(changes, BigInt(v));
  }
  const stored = a.next(tags.Pong);
  a.ping();
  await stored;
  const b = await RawDevice.connect(url, secret, user, "b", { ackChanges: false });
  const current = { rows: 0, bytes: 0 };
  let received = 0;
  b.onMessage = (msg) => {
    if (msg._tag !== tags.Changes) return;
    current.rows += (msg as Changes).changes.length;
    current.bytes += b.frameBytes;
    received += (msg as Changes).changes.length;
  };
  await new Promise((r) => setTimeout(r, 200)); // the first page, sent with StartStreaming
  const largest = { rows: current.rows, bytes: current.bytes, ms: 0, invocations: 1 };
  while (received < BACKLOG_CHANGES) {
    Object.assign(current, { rows: 0, bytes: 0 });
    const pong = b.next(tags.Pong);
    const t0 = performance.now();
    b.ping();
    await pong;
    largest.ms = Math.max(largest.ms, performance.now() - t0);
    largest.rows = Math.max(largest.rows, current.rows);
    largest.bytes = Math.max(largest.bytes, current.bytes);
    largest.invocations++;
    if (largest.invocations > 10_000) throw new Error("the backlog never finished");
  }
  a.close();
  b.close();
  return largest;
}

/** 100 notes edited 100 times each on a real replica, synced through the stock client. */
async function logGrowth(url: string, secret: string) {
  const user = `growth-${Date.now()}`;
  const a = await NodeDevice.create(user, "a");
  const b = await NodeDevice.create(user, "b");
  await a.connect(url, secret);
  await b.connect(url, secret);
  await a.writeMany(Array.from({ length: NOTES }, (_, i) => ["INSERT INTO notes (id, title, body) VALUES (?, ?, ?)", [`n${i}`, "t", "b"]]));
  for (let edit = 0; edit < EDITS_PER_NOTE; edit++) {
    await a.writeMany(Array.from({ length: NOTES }, (_, i) => ["UPDATE notes SET title = ?, updated_at = ? WHERE id = ?", [`t${edit}`, 1_764_000_000_000 + edit, `n${i}`]]));
    // Wait for each round to reach the other device, so every edit really goes through the server
    // (otherwise the client would coalesce rounds and the server would see fewer edits).
    await until(async () => (await b.db.exec("SELECT count(*) FROM notes WHERE title = ?", [`t${edit}`])).rows[0]![0] === NOTES);
  }
  await converge([a, b], 120_000);
  const liveCells = (await pullChanges(a.db, 0n)).length;
  const stats = await logStats(url, secret, user);
  a.disconnect();
  b.disconnect();
  return { liveCells, rows: stats.rows, appended: stats.head };
}

export async function syncServerSuite(): Promise<Metric[]> {
  const secret = randomBytes(32).toString("hex");
  const server = await startLocalServer({ port: PORT, persistTo: mkdtempSync(join(ROOT, ".tmp", "bench-state-")), authSecret: secret });
  try {
    const single = await ingest(server.url, secret, 1, 2_000);
    const hundred = await ingest(server.url, secret, 100, INGEST_CHANGES);
    const thousand = await ingest(server.url, secret, 1_000, INGEST_CHANGES);
    const relay = await relayLatency(server.url, secret);
    const growth = await logGrowth(server.url, secret);
    const backlog = await backlogPaging(server.url, secret);
    const m = (name: string, unit: string, ours: number, baseline?: number, baselineName?: string, target?: string): Metric => ({
      suite: "sync server",
      name,
      unit,
      ours,
      baseline,
      baselineName,
      target,
      higherIsBetter: unit === "changes/s",
    });
    return [
      m("DO ingest, batches of 100 (stored + relayed to a 2nd device)", "changes/s", hundred, single, "one change per message"),
      m("DO ingest, batches of 1,000", "changes/s", thousand, single, "one change per message"),
      m(`A → DO → B relay latency p50 (n=${RELAY_SAMPLES})`, "ms", relay.p50),
      m(`A → DO → B relay latency p95 (n=${RELAY_SAMPLES})`, "ms", relay.p95),
      m(`${BACKLOG_CHANGES.toLocaleString("en")}-change backlog to a new device: largest invocation, rows sent (${backlog.invocations} invocations)`, "rows", backlog.rows),
      m(`${BACKLOG_CHANGES.toLocaleString("en")}-change backlog: largest invocation, bytes sent`, "bytes", backlog.bytes),
      m(`${BACKLOG_CHANGES.toLocaleString("en")}-change backlog: longest Ping → Pong (one invocation + loopback)`, "ms", backlog.ms),
      m(
        `log rows after ${EDITS_PER_NOTE} edits to each of ${NOTES} notes (live cells: ${growth.liveCells})`,
        "rows",
        growth.rows,
        growth.appended,
        "append-only log",
        `≤ ${Math.floor(growth.liveCells * 1.1)} (1.1 × live cells)`,
      ),
    ];
  } finally {
    await server.stop();
  }
}
