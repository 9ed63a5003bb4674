/**
 * A note's history: revisions (web/src/merge/ makes "conflict" and "replaced" ones; this file
 * "edit", "restore" ones), the restore of one, and pruning by the retention policy.
 */
import { and, desc, eq, inArray, ne, notExists, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { HISTORY_DAILY_MS, HISTORY_KEEP_ALL_MS, REVISION_INTERVAL_MS } from "../../../shared/constants";
import { newId } from "../../../shared/ids";
import { noteRevisions, notes, type NoteRevision } from "../../../shared/schema";
import type { AppDatabase } from "../db/drizzle";

const thisDevice = sql<string>`hex(crsql_site_id())`;

/** Revisions of a note, newest first (resolution markers left out). */
export function noteHistory(db: AppDatabase, noteId: string): Promise<NoteRevision[]> {
  return db
    .select()
    .from(noteRevisions)
    .where(and(eq(noteRevisions.noteId, noteId), ne(noteRevisions.kind, "resolved")))
    .orderBy(desc(noteRevisions.createdAt), desc(noteRevisions.id));
}

/**
 * The statement that keeps the note as it is now as a revision of `kind`; with `unlessWithin`, only
 * if this device kept no revision of that kind in that long (one statement: no read before it).
 */
function keepCurrent(db: AppDatabase, noteId: string, kind: string, now: number, unlessWithin?: number, onlyIf?: SQL) {
  const recent = db
    .select({ id: noteRevisions.id })
    .from(noteRevisions)
    .where(and(eq(noteRevisions.noteId, noteId), eq(noteRevisions.kind, kind), eq(noteRevisions.device, thisDevice), sql`${noteRevisions.createdAt} > ${now - (unlessWithin ?? 0)}`));
  return db.insert(noteRevisions).select(
    db
      .select({
        id: sql<string>`${newId()}`.as("id"),
        noteId: notes.id,
        kind: sql<string>`${kind}`.as("kind"),
        title: notes.title,
        body: notes.body,
        resolves: sql<string>`''`.as("resolves"),
        device: thisDevice.as("device"),
        createdAt: sql<number>`${now}`.as("created_at"),
      })
      .from(notes)
      .where(and(eq(notes.id, noteId), unlessWithin === undefined ? undefined : notExists(recent), onlyIf)),
  );
}

/** Before a save merged with a change it could not hold whole: the stored version, as a conflict revision. */
export function keepAsConflict(db: AppDatabase, noteId: string, now: number, onlyIf?: SQL) {
  return keepCurrent(db, noteId, "conflict", now, undefined, onlyIf);
}

/** Before an edit: keeps the text as it was, unless this device kept one in the last few minutes. */
export function revisionBeforeEdit(db: AppDatabase, noteId: string, now = Date.now()) {
  return keepCurrent(db, noteId, "edit", now, REVISION_INTERVAL_MS);
}

/**
 * Before an import ("import") or a backup restore ("restore") writes a copy edited at
 * `incoming.updatedAt` over a note: keeps the note's text, under the same condition the write has
 * (the copy is newer) and only if the text differs, so the revision and the write agree even if
 * the note changed since the preview.
 */
export function revisionBeforeReplace(db: AppDatabase, kind: "import" | "restore", incoming: { id: string; title: string; body: string; updatedAt: number }, now = Date.now()) {
  const replaces = and(sql`${notes.updatedAt} < ${incoming.updatedAt}`, or(ne(notes.title, incoming.title), ne(notes.body, incoming.body)));
  return keepCurrent(db, incoming.id, kind, now, undefined, replaces);
}

/** Puts a revision's text back as a new edit; the text it replaces is kept in history first. */
export async function restoreRevision(db: AppDatabase, revision: NoteRevision, now = Date.now()): Promise<void> {
  await db.batch([
    keepCurrent(db, revision.noteId, "restore", now),
    db.update(notes).set({ title: revision.title, body: revision.body, updatedAt: now }).where(eq(notes.id, revision.noteId)),
  ]);
}

const resolution = alias(noteRevisions, "resolution");

/**
 * Applies the retention policy (HISTORY_KEEP_ALL_MS, HISTORY_DAILY_MS): returns how many
 * revisions were removed. Depends only on the rows and `now`, so devices prune alike.
 */
export async function pruneHistory(db: AppDatabase, now = Date.now()): Promise<number> {
  const open = notExists(db.select({ id: resolution.id }).from(resolution).where(and(eq(resolution.kind, "resolved"), eq(resolution.resolves, noteRevisions.id))));
  const prunable = and(ne(noteRevisions.kind, "resolved"), sql`NOT (${noteRevisions.kind} = 'conflict' AND ${open})`);
  const day = sql`${noteRevisions.createdAt} / 86400000`;
  const rows = await db
    .select({ id: noteRevisions.id })
    .from(noteRevisions)
    .where(
      and(
        prunable,
        sql`${noteRevisions.createdAt} < ${now - HISTORY_KEEP_ALL_MS}`,
        sql`(${noteRevisions.createdAt} < ${now - HISTORY_DAILY_MS} OR EXISTS (SELECT 1 FROM note_revisions later WHERE later.note_id = ${noteRevisions.noteId} AND later.kind <> 'resolved' AND later.created_at / 86400000 = ${day} AND (later.created_at, later.id) > (${noteRevisions.createdAt}, ${noteRevisions.id})))`,
      ),
    );
  const ids = rows.map((r) => r.id);
  for (let i = 0; i < ids.length; i += 500) await db.delete(noteRevisions).where(inArray(noteRevisions.id, ids.slice(i, i + 500)));
  return ids.length;
}
