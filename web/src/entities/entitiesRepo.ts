/**
 * Keeps `entities`, `note_entities` and `entity_relations` in step with what a note says.
 * Ids are derived (kind + normalised name, keyed: shared/ids.ts), so two offline devices typing
 * `#travel` write the same entity row, and the writes merge instead of duplicating.
 */
import { and, asc, desc, eq, exists, inArray, isNull, ne, notInArray, sql } from "drizzle-orm";
import { entityId, entityIdKey, entityIdWith } from "../../../shared/ids";
import { entities, entityRelations, noteEntities, notes, type Note } from "../../../shared/schema";
import type { AppDatabase } from "../db/drizzle";
import { extractMentions } from "./extract";

export type Entity = typeof entities.$inferSelect;

/** Statements (for one batch with the note's own write) that make the note's entities match its text. */
export async function entityStatements(db: AppDatabase, noteId: string, text: string, now: number) {
  const mentions = extractMentions(text);
  const idKey = mentions.length > 0 ? await entityIdKey() : undefined; // one request to the worker per save
  const rows = mentions.map((m) => ({ id: entityIdWith(idKey!, m.kind, m.name), kind: m.kind, name: m.name, createdAt: now }));
  const ids = rows.map((r) => r.id);
  const statements = [];
  if (rows.length > 0) {
    statements.push(db.insert(entities).values(rows).onConflictDoNothing());
    statements.push(db.insert(noteEntities).values(ids.map((id) => ({ noteId, entityId: id, createdAt: now }))).onConflictDoNothing());
    // Entities mentioned together: a graph of what goes with what.
    const pairs = ids.flatMap((from, i) => ids.slice(i + 1).map((to) => ({ fromEntityId: from < to ? from : to, toEntityId: from < to ? to : from, kind: "mentioned-with", createdAt: now })));
    if (pairs.length > 0) statements.push(db.insert(entityRelations).values(pairs).onConflictDoNothing());
  }
  statements.push(
    db.delete(noteEntities).where(ids.length > 0 ? and(eq(noteEntities.noteId, noteId), notInArray(noteEntities.entityId, ids)) : eq(noteEntities.noteId, noteId)),
  );
  return statements;
}

export function entitiesOfNote(db: AppDatabase, noteId: string): Promise<Entity[]> {
  return db
    .select({ id: entities.id, kind: entities.kind, name: entities.name, createdAt: entities.createdAt })
    .from(noteEntities)
    .innerJoin(entities, eq(entities.id, noteEntities.entityId))
    .where(eq(noteEntities.noteId, noteId))
    .orderBy(asc(entities.kind), asc(entities.name));
}

export async function getEntity(db: AppDatabase, id: string): Promise<Entity | undefined> {
  const [entity] = await db.select().from(entities).where(eq(entities.id, id)).limit(1);
  return entity;
}

/** Notes whose text links to this note by its title with [[…]]. */
export async function backlinks(db: AppDatabase, note: Pick<Note, "id" | "title">): Promise<Note[]> {
  if (!note.title.trim()) return [];
  const linkId = await entityId("link", note.title);
  const rows = await db
    .select({ note: notes })
    .from(noteEntities)
    .innerJoin(notes, eq(notes.id, noteEntities.noteId))
    .where(and(eq(noteEntities.entityId, linkId), ne(notes.id, note.id), isNull(notes.trashedAt)))
    .orderBy(desc(notes.updatedAt));
  return rows.map((r) => r.note);
}

/**
 * Entities by kind that some note (the trash's included) still mentions, for the sidebar and the
 * view editor. The rows themselves stay: deleting one could race another device's note that
 * mentions it again (an insert of a row it already has does nothing, so the delete would win).
 */
export function listEntities(db: AppDatabase, kinds: string[] = ["tag", "person"]): Promise<Entity[]> {
  const mentioned = db.select({ one: sql`1` }).from(noteEntities).where(eq(noteEntities.entityId, entities.id));
  return db
    .select()
    .from(entities)
    .where(and(inArray(entities.kind, kinds), exists(mentioned)))
    .orderBy(asc(entities.kind), asc(entities.name));
}

/** The note a [[link]] points at, by title (the most recently edited one if several share it). */
export async function noteByTitle(db: AppDatabase, title: string): Promise<Note | undefined> {
  const [note] = await db
    .select()
    .from(notes)
    .where(and(isNull(notes.trashedAt), sql`lower(trim(${notes.title})) = ${title.trim().toLowerCase()}`))
    .orderBy(desc(notes.updatedAt))
    .limit(1);
  return note;
}
