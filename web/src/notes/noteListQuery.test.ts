/** The windowed note list on a real cr-sqlite replica: order, windows that tile the list, counts. */
import { describe, expect, it } from "vitest";
import { DbClient } from "../db/client";
import { createDrizzle } from "../db/drizzle";
import { openMemoryReplica } from "../../../testing/nodeReplica";
import { inProcessWorker } from "../../../testing/inProcessWorker";
import { countNotes, listNoteWindow, type NoteSort } from "./noteListQuery";
import { importNotes, updateNote } from "./notesRepo";
import { entityId, setEntityIdKeySource } from "../../../shared/ids";

setEntityIdKeySource(async () => new Uint8Array(32).fill(7));

async function device() {
  const connection = await openMemoryReplica();
  return createDrizzle(new DbClient(inProcessWorker(connection)));
}

const titles = async (db: Awaited<ReturnType<typeof device>>, sort: NoteSort, offset = 0, limit = 100) =>
  (await listNoteWindow(db, { sort, offset, limit })).map((n) => n.title);

describe("the note list query", () => {
  it("sorts by edited, created or title, pinned notes first in each", async () => {
    const db = await device();
    await importNotes(db, [
      { id: "a", title: "banana", body: "", createdAt: 3, updatedAt: 10 },
      { id: "b", title: "Apple", body: "", createdAt: 1, updatedAt: 30 },
      { id: "c", title: "cherry", body: "", createdAt: 2, updatedAt: 20 },
      { id: "d", title: "", body: "untitled", createdAt: 4, updatedAt: 5 },
    ]);
    expect(await titles(db, "edited")).toEqual(["Apple", "cherry", "banana", ""]);
    expect(await titles(db, "created")).toEqual(["", "banana", "cherry", "Apple"]);
    expect(await titles(db, "title")).toEqual(["Apple", "banana", "cherry", ""]);
    await updateNote(db, "c", { pinned: 1 });
    expect(await titles(db, "title")).toEqual(["cherry", "Apple", "banana", ""]);
    expect(await titles(db, "created")).toEqual(["cherry", "", "banana", "Apple"]);
  });

  it("windows tile the whole list with no cap, and the count follows the section", async () => {
    const db = await device();
    const n = 1_234;
    // Equal edit times in blocks: the id must settle ties so that no window repeats or skips a note.
    await importNotes(db, Array.from({ length: n }, (_, i) => ({ id: `n${i}`, title: `note ${i}`, body: `**body** ${i}`, createdAt: i, updatedAt: Math.floor(i / 10) })));
    expect(await countNotes(db)).toBe(n);
    const seen: string[] = [];
    for (let offset = 0; offset < n; offset += 100) seen.push(...(await listNoteWindow(db, { sort: "edited", offset, limit: 100 })).map((r) => r.id));
    expect(seen).toHaveLength(n);
    expect(new Set(seen).size).toBe(n);
    expect(seen.at(-1)).toBe("n9"); // the oldest block, ids ascending
    await updateNote(db, "n5", { archived: 1 });
    expect(await countNotes(db)).toBe(n - 1);
    expect(await countNotes(db, { section: "archived" })).toBe(1);
    expect((await listNoteWindow(db, { filter: { section: "archived" }, sort: "edited", offset: 0, limit: 10 })).map((r) => r.id)).toEqual(["n5"]);
  });

  it("reads only the start of each body", async () => {
    const db = await device();
    await importNotes(db, [{ id: "long", title: "long", body: "x".repeat(50_000) }]);
    const [row] = await listNoteWindow(db, { sort: "edited", offset: 0, limit: 1 });
    expect(row!.body.length).toBeLessThan(50_000);
  });

  it("a tag's page: every note mentioning it, archived ones too, trashed ones not, with no cap", async () => {
    const db = await device();
    const n = 620; // over the 500 the tag pages used to stop at
    await importNotes(db, Array.from({ length: n }, (_, i) => ({ id: `t${i}`, title: `tagged ${i}`, body: i % 2 ? "#travel" : "#travel @anna", updatedAt: i })));
    await importNotes(db, [{ id: "other", title: "other", body: "#work" }]);
    await updateNote(db, "t1", { archived: 1 });
    await updateNote(db, "t2", { trashedAt: 1 });
    const filter = { section: "notTrashed" as const, entityIds: [await entityId("tag", "travel")] };
    expect(await countNotes(db, filter)).toBe(n - 1);
    const ids: string[] = [];
    for (let offset = 0; offset < n; offset += 150) ids.push(...(await listNoteWindow(db, { filter, sort: "edited", offset, limit: 150 })).map((r) => r.id));
    expect(ids).toHaveLength(n - 1);
    expect(ids).toContain("t1");
    expect(ids).not.toContain("t2");
    expect(ids.at(-1)).toBe("t0");
    expect(await countNotes(db, { ...filter, entityIds: [...filter.entityIds, await entityId("person", "anna")] })).toBe(n / 2 - 1);
  });
});
