/**
 * How many notes each list section holds, kept by triggers instead of counted. The list re-reads
 * its count after every write (each autosave, each merged change), and `count(*)` walks the
 * section's whole index: 0.6 ms at 12,000 notes and 6–8 ms at 100,000 (real cr-sqlite in Node),
 * on every keystroke's save. Here a count is a sum over a handful of rows, whatever the size.
 *
 * The table and its triggers are TEMP: in memory, on this connection only, so there is nothing to
 * migrate or to sync, and they are rebuilt from the notes at every open and cannot drift across
 * starts. The triggers see every row change, the app's writes and cr-sqlite's merges alike (which
 * insert a row, then update its columns). Nothing writes notes with REPLACE, which would delete a
 * row without firing a trigger.
 */
import { and, eq, sql, type SQL } from "drizzle-orm";
import { integer, sqliteTable } from "drizzle-orm/sqlite-core";
import type { AppDatabase } from "../db/drizzle";
import type { SqliteConnection } from "../db-worker/sqlite/connection";
import { SECTIONS, type NoteFilter } from "./noteFilter";

/** One row per combination of the columns the sections filter on, with how many notes have it. */
const noteListCounts = sqliteTable("note_list_counts", {
  archived: integer("archived"),
  /** 1 when the note is in the trash (`trashed_at` set). */
  trashed: integer("trashed").notNull(),
  pinned: integer("pinned"),
  n: integer("n").notNull(),
});

const KEY_COLUMNS = "archived, trashed, pinned";
const add = (row: "NEW" | "OLD") => `
    INSERT INTO note_list_counts (${KEY_COLUMNS}, n) VALUES (${row}.archived, ${row}.trashed_at IS NOT NULL, ${row}.pinned, 1)
      ON CONFLICT (${KEY_COLUMNS}) DO UPDATE SET n = n + 1;`;
const remove = (row: "NEW" | "OLD") => `
    UPDATE note_list_counts SET n = n - 1
      WHERE archived IS ${row}.archived AND trashed = (${row}.trashed_at IS NOT NULL) AND pinned IS ${row}.pinned;`;

/** Columns typed as in `notes`, so a value compares the same here as there. */
const SETUP = `
  CREATE TEMP TABLE IF NOT EXISTS note_list_counts (
    archived INTEGER, trashed INTEGER NOT NULL, pinned INTEGER, n INTEGER NOT NULL,
    UNIQUE (${KEY_COLUMNS})
  );
  DELETE FROM note_list_counts;
  INSERT INTO note_list_counts (${KEY_COLUMNS}, n)
    SELECT archived, trashed_at IS NOT NULL, pinned, count(*) FROM notes GROUP BY 1, 2, 3;
  CREATE TEMP TRIGGER IF NOT EXISTS note_list_counts_insert AFTER INSERT ON notes BEGIN${add("NEW")}
  END;
  CREATE TEMP TRIGGER IF NOT EXISTS note_list_counts_delete AFTER DELETE ON notes BEGIN${remove("OLD")}
  END;
  CREATE TEMP TRIGGER IF NOT EXISTS note_list_counts_update AFTER UPDATE OF archived, trashed_at, pinned ON notes
    WHEN OLD.archived IS NOT NEW.archived OR (OLD.trashed_at IS NULL) <> (NEW.trashed_at IS NULL) OR OLD.pinned IS NOT NEW.pinned
  BEGIN${remove("OLD")}${add("NEW")}
  END;
`;

/** Counts the notes once and keeps the counts from then on; run at every open, after the migrations. */
export async function startListCounts(db: SqliteConnection): Promise<void> {
  await db.script(SETUP);
}

/** Every note this device holds, in any section, from the kept counts (a new device's first-sync progress). */
export async function notesHeld(db: SqliteConnection): Promise<number> {
  const { rows } = await db.exec("SELECT coalesce(sum(n), 0) FROM note_list_counts");
  return Number(rows[0]?.[0] ?? 0);
}

/** The filter fields the kept counts answer; a list filtered by any other (set) field is counted from the notes. */
const KEPT_FILTERS: ReadonlySet<string> = new Set(["section", "pinnedOnly"] satisfies (keyof NoteFilter)[]);

/**
 * The count of a list filtered by section (and pinned) alone, from the kept counts; undefined for
 * any other filter (a date range, a search, tags), which the caller counts itself.
 */
export async function keptCount(db: AppDatabase, filter: NoteFilter): Promise<number | undefined> {
  const answered = Object.entries(filter).every(([field, value]) => KEPT_FILTERS.has(field) || value === undefined || value === "" || (Array.isArray(value) && value.length === 0));
  if (!answered) return undefined;
  const { trashed, archived } = SECTIONS[filter.section ?? "active"];
  const where: SQL[] = [eq(noteListCounts.trashed, trashed ? 1 : 0)];
  if (archived !== undefined) where.push(eq(noteListCounts.archived, archived));
  if (filter.pinnedOnly) where.push(eq(noteListCounts.pinned, 1));
  const [row] = await db.select({ n: sql<number>`coalesce(sum(${noteListCounts.n}), 0)` }).from(noteListCounts).where(and(...where));
  return Number(row?.n ?? 0);
}
