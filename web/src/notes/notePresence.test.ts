/** A missing note is told apart: deleted on this device, or not here yet (real cr-sqlite). */
import { describe, expect, it } from "vitest";
import { applyChanges, pullChanges, siteIdOf } from "../db-worker/changes";
import { DbClient } from "../db/client";
import { createDrizzle } from "../db/drizzle";
import { openMemoryReplica } from "../../../testing/nodeReplica";
import { inProcessWorker } from "../../../testing/inProcessWorker";
import { notePresence } from "./notePresence";
import { createNote, deleteNote } from "./notesRepo";

async function device() {
  const connection = await openMemoryReplica();
  return { connection, db: createDrizzle(new DbClient(inProcessWorker(connection))) };
}

describe("notePresence", () => {
  it("present, deleted (here or by sync), or missing until sync brings it", async () => {
    const a = await device();
    const b = await device();
    const note = await createNote(a.db, { title: "Kept" });
    expect(await notePresence(a.db, note.id)).toBe("present");
    expect(await notePresence(b.db, note.id)).toBe("missing");
    await applyChanges(b.connection, await siteIdOf(a.connection), await pullChanges(a.connection, 0n));
    expect(await notePresence(b.db, note.id)).toBe("present");
    await deleteNote(a.db, note.id);
    expect(await notePresence(a.db, note.id)).toBe("deleted");
    await applyChanges(b.connection, await siteIdOf(a.connection), await pullChanges(a.connection, 0n));
    expect(await notePresence(b.db, note.id)).toBe("deleted");
  });
});
