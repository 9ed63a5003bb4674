/** An editor's save against a change stored after the editor last read the note (real cr-sqlite). */
import { describe, expect, it } from "vitest";
import { DbClient } from "../db/client";
import { createDrizzle } from "../db/drizzle";
import { openMemoryReplica } from "../../../testing/nodeReplica";
import { inProcessWorker } from "../../../testing/inProcessWorker";
import { eq } from "drizzle-orm";
import { setEntityIdKeySource } from "../../../shared/ids";
import { noteEntities } from "../../../shared/schema";
import { openConflicts } from "./conflictsRepo";
import { createNote, deleteNote, getNote, saveNoteText, updateNote } from "./notesRepo";

setEntityIdKeySource(async () => new Uint8Array(32).fill(7));

async function noteIn(body: string) {
  const db = createDrizzle(new DbClient(inProcessWorker(await openMemoryReplica())));
  const note = await createNote(db, { title: "Plans", body });
  return { db, id: note.id };
}

const shown = (body: string) => ({ title: "Plans", body });

describe("saving a note's text", () => {
  it("writes the edit when the note still holds the text it started from", async () => {
    const { db, id } = await noteIn("alpha beta");
    expect(await saveNoteText(db, id, { body: "alpha beta gamma" }, { shown: shown("alpha beta gamma"), expected: { body: "alpha beta" } })).toEqual({ body: "alpha beta gamma" });
    expect((await getNote(db, id))?.body).toBe("alpha beta gamma");
    expect(await openConflicts(db, id)).toEqual([]);
  });

  it("merges with a change stored meanwhile to other words, instead of writing over it", async () => {
    const { db, id } = await noteIn("alpha beta gamma");
    await updateNote(db, id, { body: "ALPHA beta gamma" }); // another device's change, merged in after the editor's read
    expect(await saveNoteText(db, id, { body: "alpha beta gamma delta" }, { shown: shown("alpha beta gamma delta"), expected: { body: "alpha beta gamma" } })).toEqual({
      body: "ALPHA beta gamma delta",
    });
    expect((await getNote(db, id))?.body).toBe("ALPHA beta gamma delta");
    expect(await openConflicts(db, id)).toEqual([]);
  });

  it("keeps the edit's words where both changed the same ones, and the stored version as a conflict", async () => {
    const { db, id } = await noteIn("meet at noon");
    await updateNote(db, id, { body: "meet at nine" });
    await saveNoteText(db, id, { body: "meet at five" }, { shown: shown("meet at five"), expected: { body: "meet at noon" } });
    expect((await getNote(db, id))?.body).toBe("meet at five");
    expect((await openConflicts(db, id)).map((c) => c.body)).toEqual(["meet at nine"]);
  });

  it("two saves in a row, the first merged with a change stored meanwhile: the second merges only that change, and a word deleted between them stays deleted", async () => {
    const { db, id } = await noteIn("a");
    await updateNote(db, id, { body: "X a" }); // another device's change, before the first save lands
    await saveNoteText(db, id, { body: "a b" }, { shown: shown("a b"), expected: { body: "a" } });
    expect((await getNote(db, id))?.body).toBe("X a b");
    // The editor's next save expects what the first one sent ("a b"), before any read of the merge.
    await saveNoteText(db, id, { body: "a c" }, { shown: shown("a c"), expected: { body: "a b" } });
    expect((await getNote(db, id))?.body).toBe("X a c");
    expect(await openConflicts(db, id)).toEqual([]);
  });

  it("leaves the other field alone", async () => {
    const { db, id } = await noteIn("x");
    await updateNote(db, id, { title: "Renamed" });
    await saveNoteText(db, id, { body: "x y" }, { shown: { title: "Plans", body: "x y" }, expected: { body: "x" } });
    expect(await getNote(db, id)).toMatchObject({ title: "Renamed", body: "x y" });
  });

  it("writes nothing into a note deleted meanwhile, not even the entities its text mentions", async () => {
    const { db, id } = await noteIn("x");
    await deleteNote(db, id);
    await expect(saveNoteText(db, id, { body: "x #errand" }, { shown: shown("x #errand"), expected: { body: "x" } })).resolves.toBeUndefined();
    await expect(saveNoteText(db, id, { body: "x #errand" }, { shown: shown("x #errand") })).resolves.toBeUndefined();
    expect(await getNote(db, id)).toBeUndefined();
    expect(await db.select().from(noteEntities).where(eq(noteEntities.noteId, id))).toEqual([]);
  });

  it("with keepStored (the editor merged a conflicting change into the typing), keeps the text it writes over as a conflict", async () => {
    const { db, id } = await noteIn("meet at nine");
    await saveNoteText(db, id, { body: "meet at five" }, { shown: shown("meet at five"), expected: { body: "meet at nine" }, keepStored: true });
    expect((await getNote(db, id))?.body).toBe("meet at five");
    expect((await openConflicts(db, id)).map((c) => c.body)).toEqual(["meet at nine"]);
  });
});
