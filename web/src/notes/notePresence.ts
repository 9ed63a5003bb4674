/**
 * Why a note is not on this device: deleted here (cr-sqlite keeps the deleted row's key as a
 * tombstone) or never seen (a link to a note that sync has not brought yet).
 */
import { sql } from "drizzle-orm";
import type { AppDatabase } from "../db/drizzle";

export type NotePresence = "present" | "deleted" | "missing";

export async function notePresence(db: AppDatabase, id: string): Promise<NotePresence> {
  const [row] = await db.all<[number, number]>(sql`SELECT (SELECT count(*) FROM notes WHERE id = ${id}), (SELECT count(*) FROM notes__crsql_pks WHERE id = ${id})`);
  if (row?.[0]) return "present";
  return row?.[1] ? "deleted" : "missing";
}
