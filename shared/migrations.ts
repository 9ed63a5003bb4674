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
    description: "sync limits and sync activity: a byte limit on every replicated text cell, changes held aside, the activity log",
    // The size triggers check the device's own writes (app, import, restore, console API), not
    // cr-sqlite's merges (crsql_internal_sync_bit() = 1): a merged value came through the server's
    // frame limit, and refusing it would stall the apply. 491520 = MAX_SYNC_CELL_BYTES (a
    // migration is never edited, so the number is written out). sync_held and sync_activity are
    // local, like local_settings: never CRRs.
    sql: `
      CREATE TRIGGER users_cell_size_insert BEFORE INSERT ON users WHEN crsql_internal_sync_bit() = 0 BEGIN
        SELECT CASE
          WHEN length(CAST(NEW.id AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: users.id is over 480 KiB; shorten or split it')
          WHEN length(CAST(NEW.name AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: users.name is over 480 KiB; shorten or split it')
        END;
      END;
      CREATE TRIGGER users_cell_size_update BEFORE UPDATE OF id, name ON users WHEN crsql_internal_sync_bit() = 0 BEGIN
        SELECT CASE
          WHEN length(CAST(NEW.id AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: users.id is over 480 KiB; shorten or split it')
          WHEN length(CAST(NEW.name AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: users.name is over 480 KiB; shorten or split it')
        END;
      END;
      CREATE TRIGGER notes_cell_size_insert BEFORE INSERT ON notes WHEN crsql_internal_sync_bit() = 0 BEGIN
        SELECT CASE
          WHEN length(CAST(NEW.id AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: notes.id is over 480 KiB; shorten or split it')
          WHEN length(CAST(NEW.title AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: notes.title is over 480 KiB; shorten or split it')
          WHEN length(CAST(NEW.body AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: notes.body is over 480 KiB; shorten or split it')
        END;
      END;
      CREATE TRIGGER notes_cell_size_update BEFORE UPDATE OF id, title, body ON notes WHEN crsql_internal_sync_bit() = 0 BEGIN
        SELECT CASE
          WHEN length(CAST(NEW.id AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: notes.id is over 480 KiB; shorten or split it')
          WHEN length(CAST(NEW.title AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: notes.title is over 480 KiB; shorten or split it')
          WHEN length(CAST(NEW.body AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: notes.body is over 480 KiB; shorten or split it')
        END;
      END;
      CREATE TRIGGER entities_cell_size_insert BEFORE INSERT ON entities WHEN crsql_internal_sync_bit() = 0 BEGIN
        SELECT CASE
          WHEN length(CAST(NEW.id AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: entities.id is over 480 KiB; shorten or split it')
          WHEN length(CAST(NEW.kind AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: entities.kind is over 480 KiB; shorten or split it')
          WHEN length(CAST(NEW.name AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: entities.name is over 480 KiB; shorten or split it')
        END;
      END;
      CREATE TRIGGER entities_cell_size_update BEFORE UPDATE OF id, kind, name ON entities WHEN crsql_internal_sync_bit() = 0 BEGIN
        SELECT CASE
          WHEN length(CAST(NEW.id AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: entities.id is over 480 KiB; shorten or split it')
          WHEN length(CAST(NEW.kind AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: entities.kind is over 480 KiB; shorten or split it')
          WHEN length(CAST(NEW.name AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: entities.name is over 480 KiB; shorten or split it')
        END;
      END;
      CREATE TRIGGER note_entities_cell_size_insert BEFORE INSERT ON note_entities WHEN crsql_internal_sync_bit() = 0 BEGIN
        SELECT CASE
          WHEN length(CAST(NEW.note_id AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: note_entities.note_id is over 480 KiB; shorten or split it')
          WHEN length(CAST(NEW.entity_id AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: note_entities.entity_id is over 480 KiB; shorten or split it')
        END;
      END;
      CREATE TRIGGER note_entities_cell_size_update BEFORE UPDATE OF note_id, entity_id ON note_entities WHEN crsql_internal_sync_bit() = 0 BEGIN
        SELECT CASE
          WHEN length(CAST(NEW.note_id AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: note_entities.note_id is over 480 KiB; shorten or split it')
          WHEN length(CAST(NEW.entity_id AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: note_entities.entity_id is over 480 KiB; shorten or split it')
        END;
      END;
      CREATE TRIGGER entity_relations_cell_size_insert BEFORE INSERT ON entity_relations WHEN crsql_internal_sync_bit() = 0 BEGIN
        SELECT CASE
          WHEN length(CAST(NEW.from_entity_id AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: entity_relations.from_entity_id is over 480 KiB; shorten or split it')
          WHEN length(CAST(NEW.to_entity_id AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: entity_relations.to_entity_id is over 480 KiB; shorten or split it')
          WHEN length(CAST(NEW.kind AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: entity_relations.kind is over 480 KiB; shorten or split it')
        END;
      END;
      CREATE TRIGGER entity_relations_cell_size_update BEFORE UPDATE OF from_entity_id, to_entity_id, kind ON entity_relations WHEN crsql_internal_sync_bit() = 0 BEGIN
        SELECT CASE
          WHEN length(CAST(NEW.from_entity_id AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: entity_relations.from_entity_id is over 480 KiB; shorten or split it')
          WHEN length(CAST(NEW.to_entity_id AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: entity_relations.to_entity_id is over 480 KiB; shorten or split it')
          WHEN length(CAST(NEW.kind AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: entity_relations.kind is over 480 KiB; shorten or split it')
        END;
      END;
      CREATE TRIGGER reminders_cell_size_insert BEFORE INSERT ON reminders WHEN crsql_internal_sync_bit() = 0 BEGIN
        SELECT CASE
          WHEN length(CAST(NEW.id AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: reminders.id is over 480 KiB; shorten or split it')
          WHEN length(CAST(NEW.note_id AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: reminders.note_id is over 480 KiB; shorten or split it')
        END;
      END;
      CREATE TRIGGER reminders_cell_size_update BEFORE UPDATE OF id, note_id ON reminders WHEN crsql_internal_sync_bit() = 0 BEGIN
        SELECT CASE
          WHEN length(CAST(NEW.id AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: reminders.id is over 480 KiB; shorten or split it')
          WHEN length(CAST(NEW.note_id AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: reminders.note_id is over 480 KiB; shorten or split it')
        END;
      END;
      CREATE TRIGGER views_cell_size_insert BEFORE INSERT ON views WHEN crsql_internal_sync_bit() = 0 BEGIN
        SELECT CASE
          WHEN length(CAST(NEW.id AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: views.id is over 480 KiB; shorten or split it')
          WHEN length(CAST(NEW.name AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: views.name is over 480 KiB; shorten or split it')
          WHEN length(CAST(NEW.filter AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: views.filter is over 480 KiB; shorten or split it')
        END;
      END;
      CREATE TRIGGER views_cell_size_update BEFORE UPDATE OF id, name, filter ON views WHEN crsql_internal_sync_bit() = 0 BEGIN
        SELECT CASE
          WHEN length(CAST(NEW.id AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: views.id is over 480 KiB; shorten or split it')
          WHEN length(CAST(NEW.name AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: views.name is over 480 KiB; shorten or split it')
          WHEN length(CAST(NEW.filter AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: views.filter is over 480 KiB; shorten or split it')
        END;
      END;
      CREATE TRIGGER view_snapshots_cell_size_insert BEFORE INSERT ON view_snapshots WHEN crsql_internal_sync_bit() = 0 BEGIN
        SELECT CASE
          WHEN length(CAST(NEW.id AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: view_snapshots.id is over 480 KiB; shorten or split it')
          WHEN length(CAST(NEW.view_id AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: view_snapshots.view_id is over 480 KiB; shorten or split it')
          WHEN length(CAST(NEW.result AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: view_snapshots.result is over 480 KiB; shorten or split it')
        END;
      END;
      CREATE TRIGGER view_snapshots_cell_size_update BEFORE UPDATE OF id, view_id, result ON view_snapshots WHEN crsql_internal_sync_bit() = 0 BEGIN
        SELECT CASE
          WHEN length(CAST(NEW.id AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: view_snapshots.id is over 480 KiB; shorten or split it')
          WHEN length(CAST(NEW.view_id AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: view_snapshots.view_id is over 480 KiB; shorten or split it')
          WHEN length(CAST(NEW.result AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: view_snapshots.result is over 480 KiB; shorten or split it')
        END;
      END;
      CREATE TRIGGER devices_cell_size_insert BEFORE INSERT ON devices WHEN crsql_internal_sync_bit() = 0 BEGIN
        SELECT CASE
          WHEN length(CAST(NEW.id AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: devices.id is over 480 KiB; shorten or split it')
          WHEN length(CAST(NEW.name AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: devices.name is over 480 KiB; shorten or split it')
          WHEN length(CAST(NEW.platform AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: devices.platform is over 480 KiB; shorten or split it')
        END;
      END;
      CREATE TRIGGER devices_cell_size_update BEFORE UPDATE OF id, name, platform ON devices WHEN crsql_internal_sync_bit() = 0 BEGIN
        SELECT CASE
          WHEN length(CAST(NEW.id AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: devices.id is over 480 KiB; shorten or split it')
          WHEN length(CAST(NEW.name AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: devices.name is over 480 KiB; shorten or split it')
          WHEN length(CAST(NEW.platform AS BLOB)) > 491520 THEN RAISE(ABORT, 'too large to sync: devices.platform is over 480 KiB; shorten or split it')
        END;
      END;
      CREATE TABLE sync_held (
        tbl TEXT NOT NULL,
        pk BLOB NOT NULL,
        cid TEXT NOT NULL,
        db_version INTEGER NOT NULL,
        bytes INTEGER NOT NULL,
        held_at INTEGER NOT NULL,
        PRIMARY KEY (tbl, pk, cid, db_version)
      );
      CREATE TABLE sync_activity (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT ''
      );
    `,
  },
  {
    version: 5,
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
  {
    version: 6,
    description: "received changes refused after decryption (local, issue 14)",
    // sync_refused keeps, on this device only, each received change that did not decrypt or
    // failed its checks (web/src/crypto/receivedCells.ts), with why: held aside, never applied,
    // shown in the sync activity. Kept as received, so a key that arrives later can still open it.
    sql: `
      CREATE TABLE sync_refused (
        tbl TEXT NOT NULL,
        pk BLOB NOT NULL,
        cid TEXT NOT NULL,
        col_version INTEGER NOT NULL,
        cl INTEGER NOT NULL,
        val,
        reason TEXT NOT NULL,
        refused_at INTEGER NOT NULL,
        PRIMARY KEY (tbl, pk, cid, col_version, cl)
      );
    `,
  },
  {
    version: 7,
    description: "indexes for the note list's three orders (web/src/notes/noteListQuery.ts)",
    // Each holds a section's filter columns, then its order: the list's count and the OFFSET of a
    // window deep in 10,000 notes walk the index alone, never the rows (bodies) behind it.
    sql: `
      CREATE INDEX notes_list_edited ON notes (archived, trashed_at, pinned DESC, updated_at DESC, id);
      CREATE INDEX notes_list_created ON notes (archived, trashed_at, pinned DESC, created_at DESC, id);
      CREATE INDEX notes_list_title ON notes (archived, trashed_at, pinned DESC, title = '', title COLLATE NOCASE, id);
    `,
  },
];

/** Announced to the sync server; devices on different versions must not exchange changes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
