/**
 * Text merge suite (`npm run bench -- merge`), in Node on real cr-sqlite replicas:
 * - the time to apply an incoming change to a 20 KB body while this device holds its own
 *   unacknowledged edit of it (three-way merge), against applying it with no local edit;
 * - after 100 edits to each of 100 notes synced through the real local Worker + UserLog (wrangler
 *   dev, loopback) to a second device: history and merge-ancestor bytes on the devices, and the
 *   rows the server's compacted log holds against its live cells (revisions included).
 */
import { applyChanges, pullChanges, siteIdOf } from "../web/src/db-worker/changes.ts";
import { DbClient } from "../web/src/db/client.ts";
import { createDrizzle } from "../web/src/db/drizzle.ts";
import { createNote, saveNoteText } from "../web/src/notes/notesRepo.ts";
import { inProcessWorker } from "../testing/inProcessWorker.ts";
import { openMemoryReplica } from "../testing/nodeReplica.ts";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { logStats } from "../e2e/nodeDevice.ts";
import { ROOT, startLocalServer } from "../scripts/lib/localServer.ts";
import { appDevice } from "./appDevice.ts";
import type { Metric } from "./report.ts";
import { REVISION_INTERVAL_MS } from "../shared/constants.ts";

/** `BENCH_MERGE_PORT` moves it when another server holds the port. */
const PORT = Number(process.env.BENCH_MERGE_PORT ?? 8796);

const SAMPLES = 100;
const BODY_BYTES = 20_000;
const NOTES = 100;
const EDITS_PER_NOTE = 100;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

async function device() {
  const connection = await openMemoryReplica();
  return { connection, db: createDrizzle(new DbClient(inProcessWorker(connection))), site: await siteIdOf(connection) };
}

async function mergeTimes(withLocalEdit: boolean): Promise<number[]> {
  const a = await device();
  const b = await device();
  // A note of ~80-character lines, as people write; the two devices edit its first and last lines.
  const lines = Array.from({ length: BODY_BYTES / 80 }, (_, i) => `line ${String(i).padStart(4, "0")} ${"word ".repeat(14)}\n`);
  const note = await createNote(a.db, { title: "big", body: lines.join("") });
  let aSeen = 0n;
  let bSeen = 0n;
  const sync = async (from: typeof a, to: typeof a, since: bigint) => {
    const changes = await pullChanges(from.connection, since);
    const own = changes.filter((c) => c[6] === null || Buffer.compare(Buffer.from(c[6]), Buffer.from(to.site)) !== 0);
    const t0 = performance.now();
    await applyChanges(to.connection, from.site, own);
    return { ms: performance.now() - t0, to: changes.length ? changes[changes.length - 1]![5] : since };
  };
  aSeen = (await sync(a, b, aSeen)).to;
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const [current] = (await a.connection.exec("SELECT body FROM notes WHERE id = ?", [note.id])).rows[0] as [string];
    await a.connection.exec("UPDATE notes SET body = ? WHERE id = ?", [`${current}end${i} `, note.id]);
    if (withLocalEdit) {
      const [mine] = (await b.connection.exec("SELECT body FROM notes WHERE id = ?", [note.id])).rows[0] as [string];
      await b.connection.exec("UPDATE notes SET body = ? WHERE id = ?", [`start${i} ${mine}`, note.id]);
    }
    const applied = await sync(a, b, aSeen);
    aSeen = applied.to;
    times.push(applied.ms);
    bSeen = (await sync(b, a, bSeen)).to; // A takes B's merge: both hold the same text again
  }
  aSeen = (await sync(a, b, aSeen)).to; // and B takes any merge A made
  const bodies = await Promise.all([a, b].map(async (d) => (await d.connection.exec("SELECT body FROM notes")).rows[0]![0]));
  if (bodies[0] !== bodies[1]) throw new Error("merge bench: the devices did not end with the same body");
  return times;
}

async function until(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`merge bench: ${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * 100 edits to each of 100 notes on A through the app's own repository (history included), each
 * round synced through the real UserLog to B before the next, then everything acknowledged: the
 * history and merge ancestors this leaves on each device, and the rows the server log keeps.
 */
async function historyCosts() {
  const secret = randomBytes(32).toString("hex");
  const server = await startLocalServer({ port: PORT, persistTo: mkdtempSync(join(ROOT, ".tmp", "bench-merge-")), authSecret: secret });
  const user = `merge-${Date.now()}`;
  const devices: Awaited<ReturnType<typeof appDevice>>[] = [];
  try {
    const a = await appDevice(server.url, secret, user, "a");
    const b = await appDevice(server.url, secret, user, "b");
    devices.push(a, b);
    const ids: string[] = [];
    for (let n = 0; n < NOTES; n++) ids.push((await createNote(a.db, { title: `note ${n}`, body: "" })).id);
    a.changed();
    for (let e = 1; e <= EDITS_PER_NOTE; e++) {
      for (let n = 0; n < NOTES; n++) await saveNoteText(a.db, ids[n]!, { body: `edit ${e} of note ${n}` });
      a.changed();
      // Each round reaches B before the next, so every edit really goes through the server.
      await until(async () => (await b.one("SELECT count(*) FROM notes WHERE body LIKE ?", [`edit ${e} of note %`])) === NOTES, 60_000, `round ${e} on B`);
      if (a.failure ?? b.failure) throw new Error(`merge bench: sync failed: ${a.failure ?? b.failure}`);
    }
    // A's last push is acknowledged: what it sent is now each body's ancestor.
    const last = `edit ${EDITS_PER_NOTE} of note %`;
    await until(async () => !a.unacknowledged && (await a.one("SELECT count(*) FROM text_ancestors WHERE cid = 'body' AND val LIKE ?", [last])) === NOTES, 60_000, "A's last edits acknowledged");
    await until(async () => (await b.one("SELECT count(*) FROM note_revisions")) === (await a.one("SELECT count(*) FROM note_revisions")), 60_000, "history on B");
    const historyBytes = "SELECT coalesce(sum(length(id) + length(note_id) + length(kind) + length(title) + length(body) + length(device) + 8), 0) FROM note_revisions";
    const ancestorBytes = "SELECT coalesce(sum(length(tbl) + length(pk) + length(cid) + length(val)), 0) FROM text_ancestors";
    const log = await logStats(server.url, secret, user);
    return {
      historyBytes: await a.one(historyBytes),
      revisions: await a.one("SELECT count(*) FROM note_revisions"),
      ancestorBytesA: await a.one(ancestorBytes),
      ancestorBytesB: await b.one(ancestorBytes),
      ancestorsA: await a.one("SELECT count(*) FROM text_ancestors"),
      liveCells: await a.one("SELECT count(*) FROM crsql_changes"),
      liveRevisionCells: await a.one("SELECT count(*) FROM crsql_changes WHERE [table] = 'note_revisions'"),
      logRows: log.rows,
      appended: log.head,
    };
  } finally {
    for (const d of devices) d.stop();
    await server.stop();
  }
}

export async function mergeSuite(): Promise<Metric[]> {
  const merged = await mergeTimes(true);
  const plain = await mergeTimes(false);
  const costs = await historyCosts();
  const suite = "merge";
  const edits = `after ${EDITS_PER_NOTE} edits to each of ${NOTES} notes (one revision per note per ${REVISION_INTERVAL_MS / 60_000} min of typing)`;
  return [
    { suite, name: `apply a change to a ${BODY_BYTES / 1000} KB body with a local edit (three-way merge), p50 (n=${SAMPLES})`, unit: "ms", ours: pct(merged, 0.5), baseline: pct(plain, 0.5), baselineName: "same change, no local edit" },
    { suite, name: `apply a change to a ${BODY_BYTES / 1000} KB body with a local edit (three-way merge), p95`, unit: "ms", ours: pct(merged, 0.95), baseline: pct(plain, 0.95), baselineName: "same change, no local edit" },
    { suite, name: `history on the device ${edits}: ${costs.revisions} revisions`, unit: "bytes", ours: costs.historyBytes },
    { suite, name: `merge ancestors on the editing device ${edits}, all acknowledged (${costs.ancestorsA} cells)`, unit: "bytes", ours: costs.ancestorBytesA },
    { suite, name: `merge ancestors on the receiving device ${edits}`, unit: "bytes", ours: costs.ancestorBytesB },
    {
      suite,
      name: `server log rows ${edits} (live cells: ${costs.liveCells}, of which revisions: ${costs.liveRevisionCells})`,
      unit: "rows",
      ours: costs.logRows,
      baseline: costs.appended,
      baselineName: "append-only log",
      target: `≤ ${Math.floor(costs.liveCells * 1.1)} (1.1 × live cells)`,
    },
  ];
}
