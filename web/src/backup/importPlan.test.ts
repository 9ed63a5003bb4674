/** Import on real cr-sqlite: previews, never an older copy over newer work, history first, caps. */
import { eq } from "drizzle-orm";
import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { MAX_IMPORT_UNPACKED_BYTES, MAX_IMPORT_ZIP_ENTRIES, MAX_SYNC_CELL_BYTES } from "../../../shared/constants";
import { noteRevisions, notes } from "../../../shared/schema";
import { DbClient } from "../db/client";
import { createDrizzle } from "../db/drizzle";
import { openMemoryReplica } from "../../../testing/nodeReplica";
import { inProcessWorker } from "../../../testing/inProcessWorker";
import { noteHistory } from "../notes/historyRepo";
import { createNote, saveNoteText } from "../notes/notesRepo";
import { exportJson, exportMarkdownZip } from "./backup";
import { planImport } from "./importPlan";
import { toMarkdown } from "./markdown";

async function device() {
  const connection = await openMemoryReplica();
  const client = new DbClient(inProcessWorker(connection));
  const db = createDrizzle(client);
  /** Every write to a replicated table moves this: equal means nothing was written. */
  const version = async () => (await client.query({ sql: "SELECT crsql_db_version(), (SELECT count(*) FROM notes), (SELECT count(*) FROM note_revisions)", params: [], method: "all" })).rows[0];
  return { client, db, version };
}

const fileOf = async (blob: Blob, name: string) => new File([await blob.arrayBuffer()], name, { type: blob.type });
const zipOf = (files: Record<string, string>) => new File([zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)])))], "notes.zip", { type: "application/zip" });
const bodyOf = async (db: ReturnType<typeof createDrizzle>, id: string) => (await db.select().from(notes).where(eq(notes.id, id)))[0]!.body;

describe("import preview and apply", () => {
  it.each(["zip", "json"] as const)("%s: an older copy of a note is skipped, the newer text stays and nothing else changes", async (format) => {
    const { client, db, version } = await device();
    const kept = await createNote(db, { title: "Kept", body: "same" });
    const note = await createNote(db, { title: "Trip", body: "old text" });
    const exported = format === "zip" ? await fileOf(await exportMarkdownZip(db), "notes.zip") : await fileOf(await exportJson(client), "backup.json");
    await new Promise((r) => setTimeout(r, 5));
    await saveNoteText(db, note.id, { body: "newer text" });
    const before = await version();
    const plan = await planImport(client, db, exported);
    expect(plan).toMatchObject({ added: [], updated: [], skipped: ["Trip"], unchanged: 1 });
    expect(await version()).toEqual(before); // the preview wrote nothing (Cancel = not applying)
    await plan.apply();
    expect(await bodyOf(db, note.id)).toBe("newer text");
    expect(await bodyOf(db, kept.id)).toBe("same");
    expect((await noteHistory(db, note.id)).filter((r) => r.kind === "import" || r.kind === "restore")).toEqual([]);
  });

  it.each(["zip", "json"] as const)("%s: a newer copy replaces the note, and the replaced text is in its history first", async (format) => {
    const { client, db } = await device();
    const note = await createNote(db, { title: "Trip", body: "device text" });
    const later = note.updatedAt + 60_000;
    const file =
      format === "zip"
        ? zipOf({ "cobrain/Trip.md": toMarkdown({ ...note, body: "file text", updatedAt: later }), "cobrain/New.md": toMarkdown({ ...note, id: "new-note", title: "New", body: "n" }) })
        : new File([JSON.stringify({ format: "cobrain-backup", version: 1, exportedAt: "", tables: { notes: [{ id: note.id, title: "Trip", body: "file text", pinned: 0, archived: 0, trashed_at: null, created_at: note.createdAt, updated_at: later }, { id: "new-note", title: "New", body: "n", pinned: 0, archived: 0, trashed_at: null, created_at: 1, updated_at: 1 }] } })], "backup.json");
    const plan = await planImport(client, db, file);
    expect(plan).toMatchObject({ added: ["New"], updated: ["Trip"], skipped: [], unchanged: 0 });
    expect(await plan.apply()).toBe(2);
    expect(await bodyOf(db, note.id)).toBe("file text");
    expect(await bodyOf(db, "new-note")).toBe("n");
    expect((await noteHistory(db, note.id)).map((r) => [r.kind, r.body])).toEqual([[format === "zip" ? "import" : "restore", "device text"]]);
  });

  it("at equal edited times the device's copy is kept", async () => {
    const { client, db } = await device();
    const note = await createNote(db, { title: "Trip", body: "device text" });
    const plan = await planImport(client, db, zipOf({ "Trip.md": toMarkdown({ ...note, body: "same time, other text" }) }));
    expect(plan.skipped).toEqual(["Trip"]);
    await plan.apply();
    expect(await bodyOf(db, note.id)).toBe("device text");
  });

  it("a note edited after the preview is not overwritten by the import it showed", async () => {
    const { client, db } = await device();
    const note = await createNote(db, { title: "Trip", body: "device text" });
    const plan = await planImport(client, db, zipOf({ "Trip.md": toMarkdown({ ...note, body: "file text", updatedAt: note.updatedAt + 1 }) }));
    expect(plan.updated).toEqual(["Trip"]);
    await new Promise((r) => setTimeout(r, 5));
    await saveNoteText(db, note.id, { body: "typed while the dialog was open" });
    await plan.apply();
    expect(await bodyOf(db, note.id)).toBe("typed while the dialog was open");
    expect(await db.select().from(noteRevisions).where(eq(noteRevisions.kind, "import"))).toEqual([]);
  });

  it("a zip with too many files is refused, naming the cap, before anything is written", async () => {
    const { client, db, version } = await device();
    const before = await version();
    const files = Object.fromEntries(Array.from({ length: MAX_IMPORT_ZIP_ENTRIES + 1 }, (_, i) => [`n${i}.md`, "x"]));
    await expect(planImport(client, db, zipOf(files))).rejects.toThrow(/holds 20,001 files; the limit is 20,000 files per import/);
    expect(await version()).toEqual(before);
  });

  it("a zip whose directory says it unpacks over the size cap is refused before inflating", async () => {
    const { client, db, version } = await device();
    const before = await version();
    const bytes = zipSync({ "a.md": strToU8("small"), "b.md": strToU8("small") });
    // Claim a larger unpacked size for each entry in the central directory (signature PK\1\2, size at +24).
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i + 46 <= bytes.length; i++) if (view.getUint32(i, true) === 0x02014b50) view.setUint32(i + 24, MAX_IMPORT_UNPACKED_BYTES / 2 + 1, true);
    await expect(planImport(client, db, new File([bytes], "bomb.zip"))).rejects.toThrow(/unpacks to 201 MB; the limit is 200 MB per import/);
    expect(await version()).toEqual(before);
  });

  it("oversized and wrongly typed backups are refused before anything is written", async () => {
    const { client, db, version } = await device();
    await createNote(db, { title: "Mine", body: "x" });
    const before = await version();
    const note = { id: "n1", title: "t", body: "b", pinned: 0, archived: 0, trashed_at: null, created_at: 1, updated_at: 1 };
    const backup = (tables: object) => new File([JSON.stringify({ format: "cobrain-backup", version: 1, exportedAt: "", tables })], "backup.json");
    await expect(planImport(client, db, backup({ notes: [note], view_snapshots: [{ id: "s", view_id: "v", taken_at: 1, result: "x".repeat(MAX_SYNC_CELL_BYTES + 1) }] }))).rejects.toThrow(/too large to sync/);
    await expect(planImport(client, db, backup({ notes: [{ ...note, pinned: "yes" }] }))).rejects.toThrow(/notes\.pinned is INTEGER but got string/);
    await expect(planImport(client, db, backup({ notes: [{ ...note, updated_at: "yesterday" }] }))).rejects.toThrow(/notes\.updated_at/);
    expect(await version()).toEqual(before);
  });
});
