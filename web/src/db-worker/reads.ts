/**
 * Reads the first screen needs, run in the database worker with Drizzle over the host's own
 * connection: the main thread asks for one by name (`client.read`) and gets its result and the
 * tables it read (for live re-runs), so the note list paints without Drizzle's code on the main
 * thread (issue 15's first-paint budget). Everything else still queries from the main thread.
 */
import { sql } from "drizzle-orm";
import { notes } from "../../../shared/schema";
import type { AppDatabase } from "../db/drizzle";
import { conflictedNoteIds } from "../notes/conflictMarks";
import { countNotes, listNoteWindow, type NoteListRow, type NoteSort } from "../notes/noteListQuery";
import type { NoteFilter } from "../notes/noteFilter";

export interface NoteWindowArgs {
  filter?: NoteFilter;
  sort: NoteSort;
  offset: number;
  limit: number;
  /** Handed back with the rows, so the page can tell a window of what it shows now from one it asked for before. */
  key: string;
}

export const READS = {
  /** The list's count and one window of its rows. */
  noteWindow: async (db: AppDatabase, args: NoteWindowArgs): Promise<{ key: string; count: number; offset: number; rows: NoteListRow[] }> => {
    const [count, rows] = await Promise.all([countNotes(db, args.filter), listNoteWindow(db, args)]);
    return { key: args.key, count, offset: args.offset, rows };
  },
  /** How many notes a section holds. */
  noteCount: (db: AppDatabase, filter: NoteFilter) => countNotes(db, filter),
  /** Ids of the notes with a "2 versions" mark. */
  conflictedNoteIds: (db: AppDatabase, _args: null) => conflictedNoteIds(db),
  /** Whether the database holds any note at all (trashed ones included). */
  hasNotes: async (db: AppDatabase, _args: null) => (await db.select({ one: sql`1` }).from(notes).limit(1)).length > 0,
};

export type Reads = typeof READS;
export type ReadName = keyof Reads;
export type ReadArgs<N extends ReadName> = Parameters<Reads[N]>[1];
export type ReadValue<N extends ReadName> = Awaited<ReturnType<Reads[N]>>;
