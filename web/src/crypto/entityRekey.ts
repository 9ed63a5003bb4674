/**
 * Entity ids are keyed (shared/ids.ts). A device used before it had the account key derived them
 * with a key of its own (or, before issue 14, with no key); when it adopts the account key, its
 * entity rows move to the account's ids, so `#travel` typed offline on two devices is one entity
 * once both hold the key. Idempotent: rows already under the right id are left alone, so it also
 * runs on every sync start and catches a save that raced the adoption.
 */
import { entityIdWith, type EntityKind } from "../../../shared/ids";
import type { SqliteConnection } from "../db-worker/sqlite/connection";

/** Moves every entity whose id is not its keyed id under `idKey`, with its links; returns how many moved. */
export async function rekeyEntities(db: SqliteConnection, idKey: Uint8Array): Promise<number> {
  const { rows } = await db.exec("SELECT id, kind, name, created_at FROM entities");
  const moves = rows
    .map(([id, kind, name, createdAt]) => ({ from: String(id), to: entityIdWith(idKey, kind as EntityKind, String(name)), kind, name, createdAt }))
    .filter((m) => m.from !== m.to);
  if (moves.length === 0) return 0;
  await db.transaction(async () => {
    for (const m of moves) {
      await db.exec("INSERT INTO entities (id, kind, name, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING", [m.to, m.kind, m.name, m.createdAt]);
      await db.exec(
        "INSERT INTO note_entities (note_id, entity_id, created_at) SELECT note_id, ?, created_at FROM note_entities WHERE entity_id = ? ON CONFLICT DO NOTHING",
        [m.to, m.from],
      );
      await db.exec("DELETE FROM note_entities WHERE entity_id = ?", [m.from]);
      // Relations keep their (smaller id, larger id) order under the new ids.
      await db.exec(
        `INSERT INTO entity_relations (from_entity_id, to_entity_id, kind, created_at)
         SELECT min(a, b), max(a, b), kind, created_at FROM (
           SELECT CASE WHEN from_entity_id = ?1 THEN ?2 ELSE from_entity_id END AS a,
                  CASE WHEN to_entity_id = ?1 THEN ?2 ELSE to_entity_id END AS b, kind, created_at
           FROM entity_relations WHERE from_entity_id = ?1 OR to_entity_id = ?1) WHERE true
         ON CONFLICT DO NOTHING`, // "WHERE true": SQLite needs it before ON CONFLICT after a FROM
        [m.from, m.to],
      );
      await db.exec("DELETE FROM entity_relations WHERE from_entity_id = ?1 OR to_entity_id = ?1", [m.from]);
      await db.exec("DELETE FROM entities WHERE id = ?", [m.from]);
    }
  });
  return moves.length;
}
