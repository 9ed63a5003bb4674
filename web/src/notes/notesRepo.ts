/** Reading and writing notes. Every write stamps `updated_at` with the device's clock in ms. */
import { and, eq, inArray, isNotNull, sql } from "drizzle-orm";
import { BULK_INSERT_ROWS_PER_STATEMENT, MAX_NOTE_TEXT_CHARS } from "../../../shared/constants";
import { newId } from "../../../shared/ids";
import { noteEntities, noteRevisions, notes, type NewNote, type Note } from "../../../shared/schema";
import type { AppDatabase } from "../db/drizzle";
import type { BatchItem } from "drizzle-orm/batch";
import { entityStatements } from "../entities/entitiesRepo";
import { keepAsConflict, revisionBeforeEdit } from "./historyRepo";
import { mergeText } from "../merge/textMerge";
import { noteFilterWhere, noteOrder } from "./noteListQuery";
import { t } from "../i18n/i18n";
import type { NoteFilter } from "./noteFilter";

/** Refuses text that could not sync (a cell must fit in one frame), before anything is written. */
export function checkNoteSize(fields: { title?: string | null; body?: string | null }): void {
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === "string" && value.length > MAX_NOTE_TEXT_CHARS) {
      throw new Error(t("errors.tooLong", { field: name === "title" || name === "body" ? t(`errors.field.${name}`) : name, length: value.length, limit: MAX_NOTE_TEXT_CHARS }));
    }
  }
}

/** What a list or a saved view shows. */
export type { NoteFilter };

/** Notes of a section, pinned first, then most recently edited, unwindowed: what scripts/measureListQuery.ts compares the windowed list against. */
export function listNotes(db: AppDatabase, filter: NoteFilter = {}, limit = 500): Promise<Note[]> {
  return db
    .select()
    .from(notes)
    .where(noteFilterWhere(db, filter))
    .orderBy(...noteOrder("edited"))
    .limit(limit);
}

export async function getNote(db: AppDatabase, id: string): Promise<Note | undefined> {
  const [note] = await db.select().from(notes).where(eq(notes.id, id)).limit(1);
  return note;
}

export async function createNote(db: AppDatabase, fields: { title?: string; body?: string } = {}): Promise<Note> {
  checkNoteSize(fields);
  const now = Date.now();
  const note = { id: newId(), title: fields.title ?? "", body: fields.body ?? "", createdAt: now, updatedAt: now };
  await db.batch([db.insert(notes).values(note), ...(await entityStatements(db, note.id, `${note.title}\n${note.body}`, now))]);
  return (await getNote(db, note.id))!;
}

type TextFields = { title?: string; body?: string };

/** How many times a save merges with a change that landed while it was on its way, before it gives up (and keeps the text unsaved). */
const SAVE_MERGE_ATTEMPTS = 3;

/**
 * Saves edited text and, in the same transaction, the entities it mentions. Writes only the fields
 * given: a field the user did not edit is never written back, so it cannot undo another device's
 * change to it. `shown` is the whole text on screen, for the note's entities; without it the
 * stored text is read first. With `shown`, the write goes out after at most one request for the
 * entity key (the editor's save before the page is released must not wait for more).
 *
 * `expected` is the stored text the edit started from. If the note no longer holds it (another
 * device's change landed after the editor last read it), the edit is merged with the stored text
 * three ways and saved again; where both changed the same words, the edit's words stay and the
 * stored version is kept as a conflict revision ("2 versions"), as it is with `keepStored` (the
 * editor already merged such a change into the typing). One such save at a time per note: a
 * second one sent meanwhile would take the first's write for another device's. Returns the text
 * written, or undefined if the note was deleted meanwhile: its text is not written then, and the
 * mentions recorded with it are taken back.
 */
export async function saveNoteText(
  db: AppDatabase,
  id: string,
  text: TextFields,
  options: { shown?: { title: string; body: string }; expected?: TextFields; keepStored?: boolean } = {},
): Promise<TextFields | undefined> {
  checkNoteSize(text);
  const write = { ...text };
  let { shown, expected } = options;
  // Once a stored version is owed a conflict revision, every later attempt keeps the stored text
  // it writes over (which still holds those words, plus whatever arrived since).
  let conflict = options.keepStored ?? false;
  for (let attempt = 1; ; attempt++) {
    const now = Date.now();
    const current = shown ?? (await getNote(db, id));
    const full = { title: write.title ?? current?.title ?? "", body: write.body ?? current?.body ?? "" };
    const unchanged = Object.entries(expected ?? {}).map(([f, value]) => eq(notes[f as keyof TextFields], value));
    const [, updated] = await db.batch([
      // The text as it was goes to history first (at most every few minutes of typing), or, if
      // owed, whole as a conflict revision (only if the update below writes over it).
      conflict ? keepAsConflict(db, id, now, and(...unchanged)) : revisionBeforeEdit(db, id, now),
      db.update(notes).set({ ...write, updatedAt: now }).where(and(eq(notes.id, id), ...unchanged)).returning({ id: notes.id }),
      ...(await entityStatements(db, id, `${full.title}\n${full.body}`, now)),
    ]);
    if (updated.length > 0) return write;
    // Nothing written: the entities just recorded describe text the note does not hold.
    const stored = await getNote(db, id);
    if (!stored) {
      await db.delete(noteEntities).where(eq(noteEntities.noteId, id));
      return undefined;
    }
    if (unchanged.length === 0) return write; // not conditional: the row was there to write
    if (attempt >= SAVE_MERGE_ATTEMPTS) {
      const [first, ...rest] = await entityStatements(db, id, `${stored.title}\n${stored.body}`, now);
      if (first) await db.batch([first, ...rest]);
      throw new Error(t("errors.keptChanging"));
    }
    for (const f of Object.keys(expected!) as (keyof TextFields)[]) {
      const merged = mergeText(expected![f]!, write[f]!, stored[f]);
      write[f] = merged.text;
      conflict ||= merged.conflict;
    }
    checkNoteSize(write);
    expected = Object.fromEntries(Object.keys(expected!).map((f) => [f, stored[f as keyof TextFields]]));
    shown = { ...stored, ...write };
  }
}

/** Flags and other fields that do not change the text. */
export async function updateNote(db: AppDatabase, id: string, fields: Partial<Pick<Note, "title" | "body" | "pinned" | "archived" | "trashedAt">>): Promise<void> {
  await db.update(notes).set({ ...fields, updatedAt: Date.now() }).where(eq(notes.id, id));
}

export const moveToTrash = (db: AppDatabase, id: string) => updateNote(db, id, { trashedAt: Date.now() });
export const restoreFromTrash = (db: AppDatabase, id: string) => updateNote(db, id, { trashedAt: null });

/** Removes the note for good, on every device (a delete beats concurrent edits elsewhere). */
export async function deleteNote(db: AppDatabase, id: string): Promise<void> {
  // Its history goes with it (a note in the trash keeps it until then).
  await db.batch([db.delete(noteEntities).where(eq(noteEntities.noteId, id)), db.delete(noteRevisions).where(eq(noteRevisions.noteId, id)), db.delete(notes).where(eq(notes.id, id))]);
}

/** Deletes every note in the trash for good. */
export async function emptyTrash(db: AppDatabase): Promise<number> {
  const trashed = await db.select({ id: notes.id }).from(notes).where(isNotNull(notes.trashedAt));
  if (trashed.length === 0) return 0;
  const ids = trashed.map((n) => n.id);
  await db.batch([
    db.delete(noteEntities).where(inArray(noteEntities.noteId, ids)),
    db.delete(noteRevisions).where(inArray(noteRevisions.noteId, ids)),
    db.delete(notes).where(inArray(notes.id, ids)),
  ]);
  return ids.length;
}

/**
 * Inserts many notes in one transaction (one worker message), as multi-row INSERTs: per-statement
 * overhead, not cr-sqlite, dominates one-row-at-a-time imports. `before` (the revisions of the
 * notes it replaces) runs in the same batch. An existing id is overwritten only by a copy edited
 * later: never newer work by an older copy.
 */
export async function importNotes(db: AppDatabase, rows: Array<Omit<NewNote, "id"> & { id?: string }>, before: BatchItem<"sqlite">[] = []): Promise<number> {
  if (rows.length === 0) return 0;
  rows.forEach(checkNoteSize);
  const now = Date.now();
  const complete = rows.map((r) => ({ ...r, id: r.id ?? newId(), createdAt: r.createdAt ?? now, updatedAt: r.updatedAt ?? now }));
  const statements: BatchItem<"sqlite">[] = [...before];
  for (let i = 0; i < complete.length; i += BULK_INSERT_ROWS_PER_STATEMENT) {
    statements.push(
      db
        .insert(notes)
        .values(complete.slice(i, i + BULK_INSERT_ROWS_PER_STATEMENT))
        .onConflictDoUpdate({ target: notes.id, set: { title: sqlExcluded("title"), body: sqlExcluded("body"), updatedAt: sqlExcluded("updated_at") }, setWhere: sql`${notes.updatedAt} < ${sqlExcluded("updated_at")}` }),
    );
  }
  for (const note of complete) {
    const text = `${note.title ?? ""}\n${note.body ?? ""}`;
    if (/[#@]|\[\[/.test(text)) statements.push(...(await entityStatements(db, note.id, text, now)));
  }
  await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  return complete.length;
}

/** The incoming value in an upsert (`excluded.<column>`). */
const sqlExcluded = (column: string) => sql.raw(`excluded.${column}`);
