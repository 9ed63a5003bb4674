/**
 * Which conflict revisions are still open, and which notes carry the "2 versions" mark. Apart from
 * conflictsRepo.ts (which resolves, through the notes' writes) so the database worker can run the
 * list's mark query (db-worker/reads.ts) without the app's writing and UI code.
 */
import { and, eq, notExists } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { noteRevisions } from "../../../shared/schema";
import type { AppDatabase } from "../db/drizzle";

const resolution = alias(noteRevisions, "resolution");

/** A conflict revision no "resolved" revision names. */
export function unresolved(db: AppDatabase) {
  return notExists(db.select({ id: resolution.id }).from(resolution).where(and(eq(resolution.kind, "resolved"), eq(resolution.resolves, noteRevisions.id))));
}

/** Ids of the notes with an open conflict. */
export async function conflictedNoteIds(db: AppDatabase): Promise<Set<string>> {
  const rows = await db.selectDistinct({ noteId: noteRevisions.noteId }).from(noteRevisions).where(and(eq(noteRevisions.kind, "conflict"), unresolved(db)));
  return new Set(rows.map((r) => r.noteId));
}
