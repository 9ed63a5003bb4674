/**
 * The notes search index (FTS5, `notes_fts`, see shared/migrations.ts) is kept up to date by
 * triggers and is local to the device. Anything that writes notes without firing those triggers
 * (a VACUUM renumbering rowids, an older build's bug, an edit in a SQLite shell) leaves it
 * pointing at the wrong words, and search silently misses notes. So shortly after each open the
 * database worker compares the index with the notes it indexes, and rebuilds it if they differ.
 */
import type { SqliteConnection } from "./sqlite/connection";
import { errorMessage } from "../../../shared/errorMessage";

/**
 * `rank` = 1 makes FTS5 also compare the index with its content table (notes), not only check its
 * own structure; a mismatch fails the statement with SQLITE_CORRUPT_VTAB.
 */
const INTEGRITY_CHECK = "INSERT INTO notes_fts (notes_fts, rank) VALUES ('integrity-check', 1)";
const REBUILD = "INSERT INTO notes_fts (notes_fts) VALUES ('rebuild')";

/** How SQLite words SQLITE_CORRUPT (and _VTAB): the index is wrong, not the storage broken. */
const CORRUPT = /malformed|corrupt/i;

/** Checks the search index against the notes; rebuilds it when it drifted. */
export async function checkSearchIndex(db: SqliteConnection): Promise<"ok" | "rebuilt"> {
  try {
    await db.exec(INTEGRITY_CHECK);
    return "ok";
  } catch (error) {
    if (!CORRUPT.test(errorMessage(error))) throw error;
  }
  // Rebuilding reads every note once; the index holds nothing the notes do not.
  await db.exec(REBUILD);
  console.warn("CoBrain: the search index did not match the notes and was rebuilt");
  return "rebuilt";
}
