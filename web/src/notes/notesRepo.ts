/** Reading and writing notes. Every write stamps `updated_at` with the device's clock in ms. */
import { and, desc, eq, isNull } from "drizzle-orm";
import { BULK_INSERT_ROWS_PER_STATEMENT } from "../../../shared/constants";
import { newId } from "../../../shared/ids";
import { notes, type NewNote, type Note } from "../../../shared/schema";
import type { AppDatabase } from "../db/drizzle";

/** Notes not in the trash nor archived: pinned first, then most recently edited. */
export function listActiveNotes(db: AppDatabase, limit = 500): Promise<Note[]> {
  return db
    .select()
    .from(notes)
    .where(and(isNull(notes.trashedAt), eq(notes.archived, 0)))
    .orderBy(desc(notes.pinned), desc(notes.updatedAt))
    .limit(limit);
}

export async function getNote(db: AppDatabase, id: string): Promise<Note | undefined> {
  const [note] = await db.select().from(notes).where(eq(notes.id, id)).limit(1);
  return note;
}

/** Removes the note for good, on every device (a delete beats concurrent edits elsewhere). */
export async function deleteNote(db: AppDatabase, id: string): Promise<void> {
  await db.delete(notes).where(eq(notes.id, id));
}

export async function createNote(db: AppDatabase, fields: { title?: string; body?: string } = {}): Promise<Note> {
  const now = Date.now();
  const [note] = await db
    .insert(notes)
    .values({ id: newId(), title: fields.title ?? "", body: fields.body ?? "", createdAt: now, updatedAt: now })
    .returning();
  return note!;
}

export async function updateNote(db: AppDatabase, id: string, fields: Partial<Pick<Note, "title" | "body" | "pinned" | "archived" | "trashedAt">>): Promise<void> {
  await db.update(notes).set({ ...fields, updatedAt: Date.now() }).where(eq(notes.id, id));
}

/**
 * Inserts many notes in one transaction (one worker message), as multi-row INSERTs: per-statement
 * overhead, not cr-sqlite, dominates one-row-at-a-time imports.
 */
export async function importNotes(db: AppDatabase, rows: Array<Omit<NewNote, "id"> & { id?: string }>): Promise<number> {
  if (rows.length === 0) return 0;
  const now = Date.now();
  const complete = rows.map((r) => ({ ...r, id: r.id ?? newId(), createdAt: r.createdAt ?? now, updatedAt: r.updatedAt ?? now }));
  const statements = [];
  for (let i = 0; i < complete.length; i += BULK_INSERT_ROWS_PER_STATEMENT) {
    statements.push(db.insert(notes).values(complete.slice(i, i + BULK_INSERT_ROWS_PER_STATEMENT)));
  }
  await db.batch(statements as [(typeof statements)[number], ...typeof statements]);
  return complete.length;
}
