/**
 * The note list, a window at a time: the list shows 10,000 notes and more with no cap, and each
 * write (a save while typing) re-runs only a count and the rows on screen, never all the notes.
 *
 * A window is `LIMIT n OFFSET k` over the list's order. The offset walks ids only (a subquery that
 * returns `rowid`s; SQLite skips rows without building them); the full rows, with the start of the
 * body only, are read for the window alone.
 */
import { and, asc, desc, eq, gte, inArray, isNotNull, isNull, lte, sql, type SQL } from "drizzle-orm";
import { noteEntities, notes } from "../../../shared/schema";
import type { AppDatabase } from "../db/drizzle";
import { toFtsQuery } from "../search/searchQuery";
import { PLAIN_TEXT_INPUT_CHARS } from "../markdown/plainText";
import { SECTIONS, type NoteFilter } from "./noteFilter";
import { keptCount } from "./listCounts";

import type { NoteSort } from "../list/noteSorts";

export { NOTE_SORTS, type NoteSort } from "../list/noteSorts";

/** What a list row needs: the body only as far as the one-line snippet reads. */
export interface NoteListRow {
  id: string;
  title: string;
  /** The start of the body only (`PLAIN_TEXT_INPUT_CHARS`), enough for the snippet. */
  body: string;
  pinned: number;
  createdAt: number;
  updatedAt: number;
}

/** The WHERE of a list or a saved view. */
export function noteFilterWhere(db: AppDatabase, filter: NoteFilter = {}): SQL | undefined {
  const where: SQL[] = [];
  const { trashed, archived } = SECTIONS[filter.section ?? "active"];
  where.push(trashed ? isNotNull(notes.trashedAt) : isNull(notes.trashedAt));
  if (archived !== undefined) where.push(eq(notes.archived, archived));
  if (filter.pinnedOnly) where.push(eq(notes.pinned, 1));
  if (filter.from !== undefined) where.push(gte(notes.updatedAt, filter.from));
  if (filter.to !== undefined) where.push(lte(notes.updatedAt, filter.to));
  const match = filter.text ? toFtsQuery(filter.text) : undefined;
  if (match) where.push(sql`${notes}.rowid IN (SELECT rowid FROM notes_fts WHERE notes_fts MATCH ${match})`);
  for (const id of filter.entityIds ?? []) {
    where.push(inArray(notes.id, db.select({ id: noteEntities.noteId }).from(noteEntities).where(eq(noteEntities.entityId, id))));
  }
  return and(...where);
}

/** Pinned first, then the chosen order; the id settles ties, so windows never overlap or skip. */
export function noteOrder(sort: NoteSort): SQL[] {
  const pinnedFirst = desc(notes.pinned);
  switch (sort) {
    case "edited":
      return [pinnedFirst, desc(notes.updatedAt), asc(notes.id)];
    case "created":
      return [pinnedFirst, desc(notes.createdAt), asc(notes.id)];
    case "title":
      // Untitled notes after the titled ones, then by title ignoring case.
      return [pinnedFirst, sql`${notes.title} = ''`, sql`${notes.title} COLLATE NOCASE`, asc(notes.id)];
  }
}

/** How many notes the list holds (the virtual list's height). */
export async function countNotes(db: AppDatabase, filter: NoteFilter = {}): Promise<number> {
  const kept = await keptCount(db, filter);
  if (kept !== undefined) return kept;
  const [row] = await db.select({ n: sql<number>`count(*)` }).from(notes).where(noteFilterWhere(db, filter));
  return Number(row?.n ?? 0);
}

/** Rows `offset` to `offset + limit` of the list, in order. */
export async function listNoteWindow(db: AppDatabase, options: { filter?: NoteFilter; sort: NoteSort; offset: number; limit: number }): Promise<NoteListRow[]> {
  const order = noteOrder(options.sort);
  const ids = db
    .select({ rowid: sql`${notes}.rowid` })
    .from(notes)
    .where(noteFilterWhere(db, options.filter))
    .orderBy(...order)
    .limit(options.limit)
    .offset(options.offset);
  return db
    .select({
      id: notes.id,
      title: notes.title,
      body: sql<string>`substr(${notes.body}, 1, ${PLAIN_TEXT_INPUT_CHARS})`,
      pinned: notes.pinned,
      createdAt: notes.createdAt,
      updatedAt: notes.updatedAt,
    })
    .from(notes)
    .where(sql`${notes}.rowid IN ${ids}`)
    .orderBy(...order);
}
