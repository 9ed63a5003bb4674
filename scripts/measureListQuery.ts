/**
 * What one run of the note list's live query costs at 10,000 notes, on a Node cr-sqlite replica
 * (the app's own queries and migrations): `npm exec -- tsx scripts/measureListQuery.ts`.
 * Medians of 21 runs; the reference is reading every note, which a list without windows re-runs
 * after each write.
 */
import { DbClient } from "../web/src/db/client";
import { createDrizzle } from "../web/src/db/drizzle";
import { countNotes, listNoteWindow, type NoteSort } from "../web/src/notes/noteListQuery";
import { importNotes, listNotes } from "../web/src/notes/notesRepo";
import { LIST_WINDOW_ROWS } from "../web/src/list/window";
import { inProcessWorker } from "../testing/inProcessWorker";
import { openMemoryReplica } from "../testing/nodeReplica";

const NOTES = 10_000;
const RUNS = 21;
const db = createDrizzle(new DbClient(inProcessWorker(await openMemoryReplica())));
// Bodies of ~600 characters; edit times a permutation of creation order.
await importNotes(db, Array.from({ length: NOTES }, (_, i) => ({ title: `note ${i}`, body: `body ${i} `.repeat(60), createdAt: i, updatedAt: (i * 7_919) % NOTES })));

async function median(run: () => Promise<unknown>): Promise<string> {
  const times: number[] = [];
  for (let k = 0; k < RUNS; k++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[RUNS >> 1]!.toFixed(1);
}

console.log(`count of ${NOTES} notes: ${await median(() => countNotes(db))} ms`);
for (const sort of ["edited", "created", "title"] satisfies NoteSort[]) {
  for (const offset of [0, NOTES - LIST_WINDOW_ROWS]) {
    console.log(`count + window of ${LIST_WINDOW_ROWS} rows at offset ${offset}, by ${sort}: ${await median(() => Promise.all([countNotes(db), listNoteWindow(db, { sort, offset, limit: LIST_WINDOW_ROWS })]))} ms`);
  }
}
console.log(`every note (no window): ${await median(() => listNotes(db, {}, NOTES))} ms`);
