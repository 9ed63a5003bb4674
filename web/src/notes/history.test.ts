/** History on real cr-sqlite replicas: revisions before edits, restore, retention that converges. */
import { describe, expect, it } from "vitest";
import { HISTORY_DAILY_MS, HISTORY_KEEP_ALL_MS, REVISION_INTERVAL_MS } from "../../../shared/constants";
import { applyChanges, pullChanges, siteIdOf } from "../db-worker/changes";
import { DbClient } from "../db/client";
import { createDrizzle } from "../db/drizzle";
import { openMemoryReplica } from "../../../testing/nodeReplica";
import { inProcessWorker } from "../../../testing/inProcessWorker";
import { noteHistory, pruneHistory, restoreRevision } from "./historyRepo";
import { createNote, deleteNote, saveNoteText } from "./notesRepo";

async function device() {
  const connection = await openMemoryReplica();
  return { connection, db: createDrizzle(new DbClient(inProcessWorker(connection))) };
}

const DAY = 86_400_000;

describe("note history", () => {
  it("keeps the text before an edit at most once per interval, and a restore is a new edit kept in history", async () => {
    const { db } = await device();
    const note = await createNote(db, { title: "t", body: "one" });
    await saveNoteText(db, note.id, { body: "two" });
    await saveNoteText(db, note.id, { body: "three" }); // same stretch of typing: no new revision
    expect((await noteHistory(db, note.id)).map((r) => [r.kind, r.body])).toEqual([["edit", "one"]]);
    const [first] = await noteHistory(db, note.id);
    await restoreRevision(db, first!);
    expect((await noteHistory(db, note.id)).map((r) => [r.kind, r.body])).toContainEqual(["restore", "three"]);
    expect(REVISION_INTERVAL_MS).toBeGreaterThan(0);
  });

  it("retention: all revisions for 30 days, then one per day, none after a year; open conflicts stay; two devices prune alike", async () => {
    const a = await device();
    const b = await device();
    const note = await createNote(a.db, { title: "t", body: "x" });
    const now = 1_800_000_000_000;
    const at = (ms: number) => now - ms;
    const rows: [string, string, number][] = [
      ["recent-1", "edit", at(DAY)],
      ["recent-2", "edit", at(DAY) + 1],
      ["old-day-early", "edit", at(HISTORY_KEEP_ALL_MS + 3 * DAY) - 3_600_000],
      ["old-day-late", "edit", at(HISTORY_KEEP_ALL_MS + 3 * DAY)],
      ["ancient", "edit", at(HISTORY_DAILY_MS + DAY)],
      ["ancient-conflict", "conflict", at(HISTORY_DAILY_MS + DAY)],
    ];
    for (const [id, kind, createdAt] of rows) {
      await a.connection.exec("INSERT INTO note_revisions (id, note_id, kind, body, created_at) VALUES (?, ?, ?, 'x', ?)", [id, note.id, kind, createdAt]);
    }
    await applyChanges(b.connection, await siteIdOf(a.connection), await pullChanges(a.connection, 0n));
    expect(await pruneHistory(a.db, now)).toBe(2);
    expect(await pruneHistory(b.db, now)).toBe(2);
    const kept = "SELECT id FROM note_revisions ORDER BY id";
    expect((await a.connection.exec(kept)).rows.flat()).toEqual(["ancient-conflict", "old-day-late", "recent-1", "recent-2"]);
    await applyChanges(b.connection, await siteIdOf(a.connection), await pullChanges(a.connection, 0n));
    await applyChanges(a.connection, await siteIdOf(b.connection), await pullChanges(b.connection, 0n));
    expect((await b.connection.exec(kept)).rows).toEqual((await a.connection.exec(kept)).rows);
  });

  it("deleting a note for good removes its history", async () => {
    const { db, connection } = await device();
    const note = await createNote(db, { title: "t", body: "one" });
    await saveNoteText(db, note.id, { body: "two" });
    await deleteNote(db, note.id);
    expect((await connection.exec("SELECT count(*) FROM note_revisions")).rows).toEqual([[0]]);
  });
});
