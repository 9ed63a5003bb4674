/**
 * Saved views: a named note filter, and dated snapshots of its result stored in the database,
 * so what a view showed on a given day can be opened later, offline, on any device.
 */
import { desc, eq } from "drizzle-orm";
import { MAX_SYNC_CELL_BYTES } from "../../../shared/constants";
import { newId } from "../../../shared/ids";
import { notes, views, viewSnapshots } from "../../../shared/schema";
import type { AppDatabase } from "../db/drizzle";
import { noteFilterWhere, noteOrder } from "../notes/noteListQuery";
import type { NoteFilter } from "../notes/notesRepo";
import { t } from "../i18n/i18n";

export type SavedView = typeof views.$inferSelect;
export type ViewSnapshot = typeof viewSnapshots.$inferSelect;

/**
 * A note as a snapshot remembers it: its id, title and edit time, never its body. Bodies made a
 * snapshot of 500 ordinary notes one 740 KB cell, over the sync frame limit, which stalled sync.
 * (Snapshots taken before kept bodies; they still read fine.)
 */
export interface SnapshotNote {
  id: string;
  title: string;
  updatedAt: number;
}

export function parseFilter(json: string): NoteFilter {
  try {
    const value = JSON.parse(json) as NoteFilter;
    return typeof value === "object" && value !== null ? value : {};
  } catch {
    return {};
  }
}

export async function saveView(db: AppDatabase, name: string, filter: NoteFilter, id = newId()): Promise<string> {
  const now = Date.now();
  await db
    .insert(views)
    .values({ id, name, filter: JSON.stringify(filter), createdAt: now, updatedAt: now })
    .onConflictDoUpdate({ target: views.id, set: { name, filter: JSON.stringify(filter), updatedAt: now } });
  return id;
}

export const listViews = (db: AppDatabase) => db.select().from(views).orderBy(views.name);
export async function deleteView(db: AppDatabase, id: string): Promise<void> {
  await db.batch([db.delete(viewSnapshots).where(eq(viewSnapshots.viewId, id)), db.delete(views).where(eq(views.id, id))]);
}

export async function getView(db: AppDatabase, id: string): Promise<SavedView | undefined> {
  const [view] = await db.select().from(views).where(eq(views.id, id)).limit(1);
  return view;
}

/** The view's whole result, in the list's order, as a snapshot keeps it (the page itself reads it a window at a time). */
export function runView(db: AppDatabase, view: SavedView): Promise<SnapshotNote[]> {
  return db
    .select({ id: notes.id, title: notes.title, updatedAt: notes.updatedAt })
    .from(notes)
    .where(noteFilterWhere(db, parseFilter(view.filter)))
    .orderBy(...noteOrder("edited"));
}

/** Stores the view's current result, dated; every note of it, or a refusal when it is too large to sync. */
export async function takeSnapshot(db: AppDatabase, view: SavedView): Promise<string> {
  const result = await runView(db, view);
  const json = JSON.stringify(result);
  const bytes = new TextEncoder().encode(json).length;
  if (bytes > MAX_SYNC_CELL_BYTES) {
    throw new Error(t("errors.snapshotTooLarge", { count: result.length, size: Math.ceil(bytes / 1024), limit: MAX_SYNC_CELL_BYTES / 1024 }));
  }
  const id = newId();
  await db.insert(viewSnapshots).values({ id, viewId: view.id, takenAt: Date.now(), result: json });
  return id;
}

export const snapshotsOf = (db: AppDatabase, viewId: string) =>
  db.select().from(viewSnapshots).where(eq(viewSnapshots.viewId, viewId)).orderBy(desc(viewSnapshots.takenAt));

export function snapshotNotes(snapshot: ViewSnapshot): SnapshotNote[] {
  try {
    return JSON.parse(snapshot.result) as SnapshotNote[];
  } catch {
    return [];
  }
}
