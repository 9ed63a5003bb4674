/**
 * An index on note_entities (entity_id), local to the device. The sidebar lists only the tags and
 * people some note still mentions (entitiesRepo.ts, `listEntities`): without it, that check reads
 * note_entities whole for every entity no note mentions, on each re-run of the list.
 *
 * Not a migration, for the reason clockIndexes.ts gives: it changes nothing another device or the
 * server sees. Best effort: without it the sidebar is slower, not wrong, so a failure is logged.
 */
import type { SqliteConnection } from "./sqlite/connection";
import { errorMessage } from "../../../shared/errorMessage";

export const ENTITY_NOTES_INDEX = "note_entities_by_entity";

export async function ensureEntityNotesIndex(db: SqliteConnection): Promise<void> {
  try {
    await db.exec(`CREATE INDEX IF NOT EXISTS ${ENTITY_NOTES_INDEX} ON note_entities (entity_id)`);
  } catch (error) {
    console.warn(`CoBrain: the note_entities index was not made (${errorMessage(error)}); the tag list will be slower`);
  }
}
