/**
 * Notes written straight into a Node replica for the profiles (`firstSyncProfile.ts`,
 * `clockIndexProfile.ts`): multi-row INSERTs of 500, as the app's import sends them. Call it
 * inside a transaction.
 */
import type { SqliteConnection } from "../web/src/db-worker/sqlite/connection.ts";

const ROWS_PER_INSERT = 500;

/** Notes `from` to `to` (exclusive), titled `title <k>`, each with the id `idOf(k)`. */
export async function insertNotes(db: SqliteConnection, from: number, to: number, idOf: (k: number) => string): Promise<void> {
  for (let i = from; i < to; i += ROWS_PER_INSERT) {
    const ks = Array.from({ length: Math.min(ROWS_PER_INSERT, to - i) }, (_, j) => i + j);
    await db.exec(
      `INSERT INTO notes (id, title, body, created_at, updated_at) VALUES ${ks.map(() => "(?, ?, ?, ?, ?)").join(", ")}`,
      ks.flatMap((k) => [idOf(k), `title ${k}`, `Body of note ${k}. `.repeat(4), k, k]),
    );
  }
}
