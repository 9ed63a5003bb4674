/** Reminders on notes: a due time, done or not. */
import { and, asc, eq, isNull } from "drizzle-orm";
import { newId } from "../../../shared/ids";
import { notes, reminders } from "../../../shared/schema";
import type { AppDatabase } from "../db/drizzle";

export interface UpcomingReminder {
  id: string;
  noteId: string;
  noteTitle: string;
  dueAt: number;
  doneAt: number | null;
}

export async function addReminder(db: AppDatabase, noteId: string, dueAt: number): Promise<string> {
  const id = newId();
  await db.insert(reminders).values({ id, noteId, dueAt, createdAt: Date.now() });
  return id;
}

export async function markDone(db: AppDatabase, id: string): Promise<void> {
  await db.update(reminders).set({ doneAt: Date.now() }).where(eq(reminders.id, id));
}

export async function markUndone(db: AppDatabase, id: string): Promise<void> {
  await db.update(reminders).set({ doneAt: null }).where(eq(reminders.id, id));
}

export async function deleteReminder(db: AppDatabase, id: string): Promise<void> {
  await db.delete(reminders).where(eq(reminders.id, id));
}

/** Pending reminders, soonest first, with their note's title (notes in the trash left out). */
export async function upcomingReminders(db: AppDatabase): Promise<UpcomingReminder[]> {
  return db
    .select({ id: reminders.id, noteId: reminders.noteId, noteTitle: notes.title, dueAt: reminders.dueAt, doneAt: reminders.doneAt })
    .from(reminders)
    .innerJoin(notes, eq(notes.id, reminders.noteId))
    .where(and(isNull(reminders.doneAt), isNull(notes.trashedAt)))
    .orderBy(asc(reminders.dueAt));
}

export function remindersOfNote(db: AppDatabase, noteId: string) {
  return db.select().from(reminders).where(eq(reminders.noteId, noteId)).orderBy(asc(reminders.dueAt));
}
