/**
 * Conflict revisions: the losing side of an overlapping edit (web/src/merge/cellMerge.ts). A note
 * shows "2 versions" while it has a conflict revision that no "resolved" revision names. Revisions
 * are only ever inserted, so resolving on two devices at once cannot conflict.
 */
import { and, eq } from "drizzle-orm";
import { newId } from "../../../shared/ids";
import { noteRevisions, type NoteRevision } from "../../../shared/schema";
import type { AppDatabase } from "../db/drizzle";
import { unresolved } from "./conflictMarks";
import { getNote, saveNoteText } from "./notesRepo";

export { conflictedNoteIds } from "./conflictMarks";

/** Open conflicts of one note, oldest first. */
export function openConflicts(db: AppDatabase, noteId: string): Promise<NoteRevision[]> {
  return db
    .select()
    .from(noteRevisions)
    .where(and(eq(noteRevisions.noteId, noteId), eq(noteRevisions.kind, "conflict"), unresolved(db)))
    .orderBy(noteRevisions.createdAt, noteRevisions.id);
}

export type Resolution = "current" | "other" | "both";

/** Lines of `other` that `current` lacks, after `current`: both texts, shared lines once. */
export function keepBoth(current: string, other: string): string {
  const have = new Set(current.split("\n"));
  const extra = other.split("\n").filter((line) => line.trim() !== "" && !have.has(line));
  return extra.length === 0 ? current : `${current}\n${extra.join("\n")}`;
}

/** Settles a conflict: the note keeps the chosen text, and the conflict is marked resolved. */
export async function resolveConflict(db: AppDatabase, conflict: NoteRevision, choice: Resolution, device = ""): Promise<void> {
  const note = await getNote(db, conflict.noteId);
  if (note && choice !== "current") {
    const pick = (field: "title" | "body") => (choice === "other" ? conflict[field] : keepBoth(note[field], conflict[field]));
    const text = { title: pick("title"), body: pick("body") };
    const changed = { ...(text.title !== note.title && { title: text.title }), ...(text.body !== note.body && { body: text.body }) };
    // Compared with the text just read: a change that lands meanwhile is merged, not written over.
    const expected = Object.fromEntries(Object.keys(changed).map((f) => [f, note[f as "title" | "body"]]));
    if (Object.keys(changed).length > 0 && !(await saveNoteText(db, note.id, changed, { shown: { ...note, ...changed }, expected }))) return; // deleted meanwhile
  }
  if (!note) return; // deleted for good: nothing left to mark
  await db.insert(noteRevisions).values({
    id: newId(),
    noteId: conflict.noteId,
    kind: "resolved",
    resolves: conflict.id,
    title: note?.title ?? "",
    body: note?.body ?? "",
    device,
    createdAt: Date.now(),
  });
}
