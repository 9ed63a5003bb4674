/**
 * Versioned schema migrations, applied in order when a device opens its database.
 *
 * Hand-written SQL rather than drizzle-kit output: every table must also be turned into a CRR
 * (`crsql_as_crr`) and later alterations of CRR tables must be wrapped in
 * `crsql_begin_alter`/`crsql_commit_alter`, which drizzle-kit knows nothing about.
 * `schema.test.ts` checks that the tables these statements create match `schema.ts` exactly.
 *
 * Rules: never edit a released migration; append a new one. List in `alters` every existing CRR
 * table the migration ALTERs, so the runner can guard it.
 */
export interface Migration {
  version: number;
  description: string;
  /** Existing CRR tables this migration alters (wrapped in begin/commit alter). */
  alters?: readonly string[];
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "initial schema",
    sql: `
      CREATE TABLE users (
        id TEXT PRIMARY KEY NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE notes (
        id TEXT PRIMARY KEY NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        body TEXT NOT NULL DEFAULT '',
        pinned INTEGER NOT NULL DEFAULT 0,
        archived INTEGER NOT NULL DEFAULT 0,
        trashed_at INTEGER,
        created_at INTEGER NOT NULL DEFAULT 0,
        updated_at INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX notes_by_updated ON notes (pinned DESC, updated_at DESC);
      CREATE TABLE entities (
        id TEXT PRIMARY KEY NOT NULL,
        kind TEXT NOT NULL DEFAULT 'tag',
        name TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE note_entities (
        note_id TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        created_at INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (note_id, entity_id)
      );
      CREATE INDEX note_entities_by_entity ON note_entities (entity_id);
      CREATE TABLE entity_relations (
        from_entity_id TEXT NOT NULL,
        to_entity_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        created_at INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (from_entity_id, to_entity_id, kind)
      );
      CREATE TABLE reminders (
        id TEXT PRIMARY KEY NOT NULL,
        note_id TEXT NOT NULL DEFAULT '',
        due_at INTEGER NOT NULL DEFAULT 0,
        done_at INTEGER,
        created_at INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE views (
        id TEXT PRIMARY KEY NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        filter TEXT NOT NULL DEFAULT '{}',
        created_at INTEGER NOT NULL DEFAULT 0,
        updated_at INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE view_snapshots (
        id TEXT PRIMARY KEY NOT NULL,
        view_id TEXT NOT NULL DEFAULT '',
        taken_at INTEGER NOT NULL DEFAULT 0,
        result TEXT NOT NULL DEFAULT '[]'
      );
      CREATE TABLE devices (
        id TEXT PRIMARY KEY NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        platform TEXT NOT NULL DEFAULT 'web',
        last_sync_at INTEGER,
        created_at INTEGER NOT NULL DEFAULT 0
      );
      SELECT crsql_as_crr('users');
      SELECT crsql_as_crr('notes');
      SELECT crsql_as_crr('entities');
      SELECT crsql_as_crr('note_entities');
      SELECT crsql_as_crr('entity_relations');
      SELECT crsql_as_crr('reminders');
      SELECT crsql_as_crr('views');
      SELECT crsql_as_crr('view_snapshots');
      SELECT crsql_as_crr('devices');
    `,
  },
  {
    version: 2,
    description: "local settings of this device (sign-in, sync server), never replicated",
    sql: `
      CREATE TABLE local_settings (
        key TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL DEFAULT ''
      );
    `,
  },
  {
    version: 3,
    description: "full-text search over notes (local only, kept up to date by triggers)",
    // External-content FTS5 over notes.rowid: no second copy of the text. Triggers fire for local
    // writes and for cr-sqlite's merges alike, so search follows sync. Never VACUUM: it may renumber
    // rowids (shortly after each open the worker checks the index against the notes and rebuilds
    // it if it drifted: web/src/db-worker/searchIndex.ts).
    sql: `
      CREATE VIRTUAL TABLE notes_fts USING fts5(title, body, content='notes', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2');
      INSERT INTO notes_fts (notes_fts) VALUES ('rebuild');
      CREATE TRIGGER notes_fts_insert AFTER INSERT ON notes BEGIN
        INSERT INTO notes_fts (rowid, title, body) VALUES (new.rowid, new.title, new.body);
      END;
      CREATE TRIGGER notes_fts_delete AFTER DELETE ON notes BEGIN
        INSERT INTO notes_fts (notes_fts, rowid, title, body) VALUES ('delete', old.rowid, old.title, old.body);
      END;
      CREATE TRIGGER notes_fts_update AFTER UPDATE OF title, body ON notes BEGIN
        INSERT INTO notes_fts (notes_fts, rowid, title, body) VALUES ('delete', old.rowid, old.title, old.body);
        INSERT INTO notes_fts (rowid, title, body) VALUES (new.rowid, new.title, new.body);
      END;
    `,
  },
  {
    version: 4,
    description: "note revisions (replicated, insert-only) and text-merge ancestors (local)",
    // text_ancestors holds, per text cell that merges (web/src/merge/), the last value this device
    // knows the server has: received from it, or sent and acknowledged. Never replicated.
    sql: `
      CREATE TABLE note_revisions (
        id TEXT PRIMARY KEY NOT NULL,
        note_id TEXT NOT NULL DEFAULT '',
        kind TEXT NOT NULL DEFAULT 'conflict',
        title TEXT NOT NULL DEFAULT '',
        body TEXT NOT NULL DEFAULT '',
        resolves TEXT NOT NULL DEFAULT '',
        device TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX note_revisions_note ON note_revisions (note_id);
      SELECT crsql_as_crr('note_revisions');
      CREATE TABLE text_ancestors (
        tbl TEXT NOT NULL,
        pk BLOB NOT NULL,
        cid TEXT NOT NULL,
        val TEXT NOT NULL,
        PRIMARY KEY (tbl, pk, cid)
      );
    `,
  },
];

/** Announced to the sync server; devices on different versions must not exchange changes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
