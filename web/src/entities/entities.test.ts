/** Entities from two offline devices merge into one, because their ids are derived, not random. */
import { describe, expect, it } from "vitest";
import { applyChanges, pullChanges, siteIdOf } from "../db-worker/changes";
import { DbClient } from "../db/client";
import { createDrizzle } from "../db/drizzle";
import { openMemoryReplica } from "../../../testing/nodeReplica";
import { inProcessWorker } from "../../../testing/inProcessWorker";
import { createNote, deleteNote, moveToTrash, saveNoteText } from "../notes/notesRepo";
import { backlinks, entitiesOfNote, listEntities } from "./entitiesRepo";
import { setEntityIdKeySource } from "../../../shared/ids";
import { rekeyEntities } from "../crypto/entityRekey";

// Both devices belong to one account: the same id key (the app gets it from the database worker).
const ACCOUNT_ID_KEY = new Uint8Array(32).fill(3);
let idKey = ACCOUNT_ID_KEY;
setEntityIdKeySource(async () => idKey);

async function device() {
  const connection = await openMemoryReplica();
  return { connection, db: createDrizzle(new DbClient(inProcessWorker(connection))) };
}

describe("entities", () => {
  it("#Travel on one offline device and #travel on another become one entity after sync", async () => {
    const a = await device();
    const b = await device();
    await createNote(a.db, { title: "Lisbon", body: "#Travel with @Anna" });
    await createNote(b.db, { title: "Tokyo", body: "#travel with @anna" });
    await applyChanges(b.connection, await siteIdOf(a.connection), await pullChanges(a.connection, 0n));
    await applyChanges(a.connection, await siteIdOf(b.connection), await pullChanges(b.connection, 0n));
    for (const d of [a, b]) {
      expect((await d.connection.exec("SELECT kind, count(*) FROM entities GROUP BY kind ORDER BY kind")).rows).toEqual([
        ["person", 1],
        ["tag", 1],
      ]);
      expect((await d.connection.exec("SELECT count(*) FROM note_entities")).rows).toEqual([[4]]);
    }
  });

  it("typed offline on two devices before either had the account key, #travel is one entity once both adopt it", async () => {
    const a = await device();
    const b = await device();
    idKey = new Uint8Array(32).fill(11); // a's own key, before it has the account's
    const onA = await createNote(a.db, { title: "Lisbon", body: "#Travel with @Anna" });
    idKey = new Uint8Array(32).fill(12); // b's own key
    await createNote(b.db, { title: "Tokyo", body: "#travel @anna" });
    idKey = ACCOUNT_ID_KEY;
    // Each adopts the account key, then they sync.
    expect(await rekeyEntities(a.connection, ACCOUNT_ID_KEY)).toBe(2);
    expect(await rekeyEntities(b.connection, ACCOUNT_ID_KEY)).toBe(2);
    expect(await rekeyEntities(b.connection, ACCOUNT_ID_KEY)).toBe(0); // idempotent
    await applyChanges(b.connection, await siteIdOf(a.connection), await pullChanges(a.connection, 0n));
    await applyChanges(a.connection, await siteIdOf(b.connection), await pullChanges(b.connection, 0n));
    for (const d of [a, b]) {
      expect((await d.connection.exec("SELECT kind, count(*) FROM entities GROUP BY kind ORDER BY kind")).rows).toEqual([
        ["person", 1],
        ["tag", 1],
      ]);
      expect((await d.connection.exec("SELECT count(*) FROM note_entities")).rows).toEqual([[4]]);
      expect((await d.connection.exec("SELECT count(*) FROM entity_relations")).rows).toEqual([[1]]);
    }
    expect((await entitiesOfNote(a.db, onA.id)).map((e) => `${e.kind}:${e.name}`)).toEqual(["person:anna", "tag:travel"]); // equal versions: the greater name wins
  });

  it("follows edits: removed mentions are unlinked, links give backlinks", async () => {
    const { db } = await device();
    const target = await createNote(db, { title: "Reading list" });
    const note = await createNote(db, { title: "Plans", body: "#books [[Reading list]]" });
    expect((await entitiesOfNote(db, note.id)).map((e) => `${e.kind}:${e.name}`)).toEqual(["link:Reading list", "tag:books"]);
    expect((await backlinks(db, target)).map((n) => n.title)).toEqual(["Plans"]);
    await saveNoteText(db, note.id, { title: "Plans", body: "nothing tagged now" });
    expect(await entitiesOfNote(db, note.id)).toEqual([]);
    expect(await backlinks(db, target)).toEqual([]);
  });

  it("the sidebar lists a tag while some note mentions it (the trash's too), and not once none does, by an index", async () => {
    const a = await device();
    const b = await device();
    const names = async (d: typeof a) => (await listEntities(d.db)).map((e) => `${e.kind}:${e.name}`);
    const lisbon = await createNote(a.db, { title: "Lisbon", body: "#travel with @anna" });
    const tokyo = await createNote(a.db, { title: "Tokyo", body: "#travel #food" });
    expect(await names(a)).toEqual(["person:anna", "tag:food", "tag:travel"]);

    await saveNoteText(a.db, tokyo.id, { title: "Tokyo", body: "#travel only" });
    expect(await names(a)).toEqual(["person:anna", "tag:travel"]);
    await moveToTrash(a.db, lisbon.id);
    expect(await names(a)).toEqual(["person:anna", "tag:travel"]);
    await deleteNote(a.db, lisbon.id);
    await deleteNote(a.db, tokyo.id);
    expect(await names(a)).toEqual([]);
    // The rows stay: another device that mentions the tag again brings it back everywhere.
    expect((await a.connection.exec("SELECT count(*) FROM entities")).rows).toEqual([[3]]);
    await applyChanges(b.connection, await siteIdOf(a.connection), await pullChanges(a.connection, 0n));
    await createNote(b.db, { title: "Porto", body: "#food again" });
    await applyChanges(a.connection, await siteIdOf(b.connection), await pullChanges(b.connection, 0n));
    expect(await names(a)).toEqual(["tag:food"]);
    expect(await names(b)).toEqual(["tag:food"]);

    const plan = (await a.connection.exec("EXPLAIN QUERY PLAN SELECT 1 FROM note_entities WHERE entity_id = ?", ["x"])).rows.map((r) => String(r.at(-1)));
    expect(plan.join(" ")).toContain("note_entities_by_entity"); // migration 1's index
  });
});
