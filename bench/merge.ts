/**
 * Text merge suite (`npm run bench -- merge`), in Node on real cr-sqlite replicas:
 * - the time to apply an incoming change to a 20 KB body while this device holds its own
 *   unacknowledged edit of it (three-way merge), against applying it with no local edit;
 * - history and ancestor bytes on a device, and the rows a compacted server log holds for it
 *   (the device's live cells), after 100 edits to each of 100 notes.
 */
import { applyChanges, pullChanges, siteIdOf } from "../web/src/db-worker/changes.ts";
import { DbClient } from "../web/src/db/client.ts";
import { createDrizzle } from "../web/src/db/drizzle.ts";
import { createNote, saveNoteText } from "../web/src/notes/notesRepo.ts";
import { inProcessWorker } from "../testing/inProcessWorker.ts";
import { openMemoryReplica } from "../testing/nodeReplica.ts";
import type { Metric } from "./report.ts";

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

async function historyCosts() {
  const d = await device();
  for (let n = 0; n < NOTES; n++) {
    const note = await createNote(d.db, { title: `note ${n}`, body: "" });
    for (let e = 1; e <= EDITS_PER_NOTE; e++) await saveNoteText(d.db, note.id, { body: `edit ${e} of note ${n}` });
  }
  const one = async (sql: string) => Number((await d.connection.exec(sql)).rows[0]![0] ?? 0);
  return {
    historyBytes: await one("SELECT sum(length(id) + length(note_id) + length(kind) + length(title) + length(body) + length(device) + 8) FROM note_revisions"),
    revisions: await one("SELECT count(*) FROM note_revisions"),
    ancestorBytes: await one("SELECT coalesce(sum(length(tbl) + length(pk) + length(cid) + length(val)), 0) FROM text_ancestors"),
    liveCells: await one("SELECT count(*) FROM crsql_changes"),
  };
}

export async function mergeSuite(): Promise<Metric[]> {
  const merged = await mergeTimes(true);
  const plain = await mergeTimes(false);
  const costs = await historyCosts();
  const suite = "merge";
  const edits = `after ${EDITS_PER_NOTE} edits to each of ${NOTES} notes (one burst: one revision per note per ${5} min)`;
  return [
    { suite, name: `apply a change to a ${BODY_BYTES / 1000} KB body with a local edit (three-way merge), p50 (n=${SAMPLES})`, unit: "ms", ours: pct(merged, 0.5), baseline: pct(plain, 0.5), baselineName: "same change, no local edit" },
    { suite, name: `apply a change to a ${BODY_BYTES / 1000} KB body with a local edit (three-way merge), p95`, unit: "ms", ours: pct(merged, 0.95), baseline: pct(plain, 0.95), baselineName: "same change, no local edit" },
    { suite, name: `history on the device ${edits}: ${costs.revisions} revisions`, unit: "bytes", ours: costs.historyBytes },
    { suite, name: `merge ancestors on the device ${edits} (none until synced)`, unit: "bytes", ours: costs.ancestorBytes },
    { suite, name: `rows a compacted server log holds for it (the device's live cells, revisions included) ${edits}`, unit: "rows", ours: costs.liveCells },
  ];
}
