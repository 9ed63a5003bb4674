/** Full-text search over notes (FTS5, local to the device). */
import { sql } from "drizzle-orm";
import type { AppDatabase } from "../db/drizzle";
import { MARK_END, MARK_START, toFtsQuery } from "./searchQuery";

export interface SearchHit {
  id: string;
  title: string;
  snippet: string;
}

export const SEARCH_LIMIT = 50;

export async function searchNotes(db: AppDatabase, input: string): Promise<SearchHit[]> {
  const query = toFtsQuery(input);
  if (!query) return [];
  const rows = await db.all<[string, string, string]>(sql`
    SELECT n.id, highlight(notes_fts, 0, ${MARK_START}, ${MARK_END}), snippet(notes_fts, 1, ${MARK_START}, ${MARK_END}, '…', 16)
    FROM notes_fts JOIN notes AS n ON n.rowid = notes_fts.rowid
    WHERE notes_fts MATCH ${query} AND n.trashed_at IS NULL
    ORDER BY rank LIMIT ${SEARCH_LIMIT}`);
  return rows.map(([id, title, snippet]) => ({ id, title, snippet }));
}
