/** Settling a conflict against a change that lands while it is being settled (real cr-sqlite). */
import { describe, expect, it } from "vitest";
import { DbClient } from "../db/client";
import { createDrizzle } from "../db/drizzle";
import { openMemoryReplica } from "../../../testing/nodeReplica";
import { inProcessWorker } from "../../../testing/inProcessWorker";
import { setEntityIdKeySource } from "../../../shared/ids";
import { openConflicts, resolveConflict } from "./conflictsRepo";
import { createNote, getNote, saveNoteText, updateNote } from "./notesRepo";

/** Runs once when the next save asks for the entity key: between its read and its write. */
let meanwhile: (() => Promise<void>) | undefined;
setEntityIdKeySource(async () => {
  const run = meanwhile;
  meanwhile = undefined;
  await run?.();
  return new Uint8Array(32).fill(7);
});

describe("settling a conflict", () => {
  it("'keep both' merges a change that lands while it is settled, instead of writing over it", async () => {
    const db = createDrizzle(new DbClient(inProcessWorker(await openMemoryReplica())));
    const { id } = await createNote(db, { title: "Trip", body: "meet at noon #trip" });
    await updateNote(db, id, { body: "meet at nine #trip" }); // another device's change, after the editor's read
    await saveNoteText(db, id, { body: "meet at five #trip" }, { shown: { title: "Trip", body: "meet at five #trip" }, expected: { body: "meet at noon #trip" } });
    const [conflict] = await openConflicts(db, id);
    expect(conflict?.body).toBe("meet at nine #trip");

    meanwhile = () => updateNote(db, id, { body: "meet at five #trip\nbring the tickets" });
    await resolveConflict(db, conflict!, "both");
    expect(meanwhile).toBeUndefined(); // it did land in between
    expect((await getNote(db, id))?.body).toBe("meet at five #trip\nmeet at nine #trip\nbring the tickets");
    expect(await openConflicts(db, id)).toEqual([]);
  });
});
