/**
 * The CoBrain database schema (Drizzle), identical on every device.
 *
 * Every table is a cr-sqlite CRR, which imposes rules checked by `schema.test.ts`:
 * a primary key on every table, no foreign keys, no unique indexes besides the primary key,
 * and a default on every NOT NULL column (a replica may receive a row before all its cells).
 * Integers (timestamps in ms, flags as 0/1) stay INTEGER end to end; there are no REAL columns,
 * because floats and integers look alike on the sync wire and would make replicas diverge.
 */
import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** The account owner as seen on this device (one row per user id). */
export const users = sqliteTable("users", {
  id: text("id").primaryKey().notNull(),
  name: text("name").notNull().default(""),
  createdAt: integer("created_at").notNull().default(0),
});

export const notes = sqliteTable("notes", {
  id: text("id").primaryKey().notNull(),
  title: text("title").notNull().default(""),
  body: text("body").notNull().default(""),
  /** 0 or 1. */
  pinned: integer("pinned").notNull().default(0),
  /** 0 or 1. */
  archived: integer("archived").notNull().default(0),
  /** Moment the note went to the trash (ms); null while it is not in the trash. */
  trashedAt: integer("trashed_at"),
  createdAt: integer("created_at").notNull().default(0),
  updatedAt: integer("updated_at").notNull().default(0),
});

/**
 * `#tags`, `@people` and `[[note links]]`. The id is derived from kind + normalised name
 * (`shared/ids.ts`) so two offline devices typing `#travel` create the same row.
 */
export const entities = sqliteTable("entities", {
  id: text("id").primaryKey().notNull(),
  /** "tag" | "person" | "link" */
  kind: text("kind").notNull().default("tag"),
  name: text("name").notNull().default(""),
  createdAt: integer("created_at").notNull().default(0),
});

export const noteEntities = sqliteTable(
  "note_entities",
  {
    noteId: text("note_id").notNull(),
    entityId: text("entity_id").notNull(),
    createdAt: integer("created_at").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.noteId, t.entityId] })],
);

export const entityRelations = sqliteTable(
  "entity_relations",
  {
    fromEntityId: text("from_entity_id").notNull(),
    toEntityId: text("to_entity_id").notNull(),
    /** e.g. "mentions", "related" */
    kind: text("kind").notNull(),
    createdAt: integer("created_at").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.fromEntityId, t.toEntityId, t.kind] })],
);

export const reminders = sqliteTable("reminders", {
  id: text("id").primaryKey().notNull(),
  noteId: text("note_id").notNull().default(""),
  dueAt: integer("due_at").notNull().default(0),
  /** Moment it was marked done (ms); null while pending. */
  doneAt: integer("done_at"),
  createdAt: integer("created_at").notNull().default(0),
});

/** Saved filters; `filter` is JSON (tags, text, pinned/archived, date range). */
export const views = sqliteTable("views", {
  id: text("id").primaryKey().notNull(),
  name: text("name").notNull().default(""),
  filter: text("filter").notNull().default("{}"),
  createdAt: integer("created_at").notNull().default(0),
  updatedAt: integer("updated_at").notNull().default(0),
});

/** A dated, stored result of a view (JSON list of notes) readable offline. */
export const viewSnapshots = sqliteTable("view_snapshots", {
  id: text("id").primaryKey().notNull(),
  viewId: text("view_id").notNull().default(""),
  takenAt: integer("taken_at").notNull().default(0),
  result: text("result").notNull().default("[]"),
});

/**
 * A note's earlier versions and the losing side of overlapping edits. Rows are only ever inserted
 * (never updated), so revisions never conflict among themselves; a conflict is resolved by a new
 * row of kind "resolved" whose `resolves` names the conflict revision.
 */
export const noteRevisions = sqliteTable("note_revisions", {
  id: text("id").primaryKey().notNull(),
  noteId: text("note_id").notNull().default(""),
  /** "conflict" (the losing side of an overlapping edit), "replaced" (a value of this device's that another device's replaced), "resolved" */
  kind: text("kind").notNull().default("conflict"),
  title: text("title").notNull().default(""),
  body: text("body").notNull().default(""),
  /** The conflict revision this row resolves ("resolved" rows only). */
  resolves: text("resolves").notNull().default(""),
  device: text("device").notNull().default(""),
  createdAt: integer("created_at").notNull().default(0),
});

export const devices = sqliteTable("devices", {
  id: text("id").primaryKey().notNull(),
  name: text("name").notNull().default(""),
  /** "web" | "ios" | "android" | "desktop" */
  platform: text("platform").notNull().default("web"),
  lastSyncAt: integer("last_sync_at"),
  createdAt: integer("created_at").notNull().default(0),
});

/**
 * This device's own settings (sign-in token, sync server URL). Deliberately not a CRR: a token
 * belongs to one device and must never travel to the others.
 */
export const localSettings = sqliteTable("local_settings", {
  key: text("key").primaryKey().notNull(),
  value: text("value").notNull().default(""),
});

/**
 * This device's sync activity log (connected, sent, received, refused…), bounded to
 * SYNC_ACTIVITY_KEEP entries. Local like local_settings: what one device saw is its own story.
 */
export const syncActivity = sqliteTable("sync_activity", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  at: integer("at").notNull(),
  kind: text("kind").notNull(),
  detail: text("detail").notNull().default(""),
});

/** Every replicated table, in creation order. */
export const crrTables = {
  users,
  notes,
  entities,
  note_entities: noteEntities,
  entity_relations: entityRelations,
  reminders,
  views,
  view_snapshots: viewSnapshots,
  devices,
  note_revisions: noteRevisions,
} as const;

export type CrrTableName = keyof typeof crrTables;
export const CRR_TABLE_NAMES = Object.keys(crrTables) as CrrTableName[];

export type Note = typeof notes.$inferSelect;
export type NoteRevision = typeof noteRevisions.$inferSelect;
export type NewNote = typeof notes.$inferInsert;
