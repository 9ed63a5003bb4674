/**
 * Applies pending migrations at open, inside the database worker (or a Node test).
 *
 * The pending migrations run in one transaction. CRR tables a migration alters are wrapped in
 * `crsql_begin_alter`/`crsql_commit_alter` with try/finally: an unmatched begin leaves the
 * table's replication triggers dropped and replication silently stops.
 * The applied version lives in `PRAGMA user_version`; the schema name and version are also
 * written to `crsql_master`, where the sync client reads what to announce to the server.
 */
import { SCHEMA_NAME } from "../../../shared/constants";
import { MIGRATIONS, type Migration } from "../../../shared/migrations";
import type { SqliteConnection } from "./sqlite/connection";
import { errorMessage } from "../../../shared/errorMessage";

export class MigrationError extends Error {
  constructor(
    readonly version: number,
    cause: unknown,
  ) {
    super(`migration ${version} failed: ${errorMessage(cause)}`, { cause });
    this.name = "MigrationError";
  }
}

export async function schemaVersionOf(db: SqliteConnection): Promise<number> {
  const { rows } = await db.exec("PRAGMA user_version");
  return Number(rows[0]![0]);
}

/**
 * Brings `db` up to the newest migration; returns the versions it applied. All pending migrations
 * run in one transaction: a new device's first open commits once instead of once per migration
 * (each commit waits for the disk), and a failure leaves the database at its old version, which
 * this app version could not use half-migrated anyway.
 */
export async function migrate(db: SqliteConnection, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  const current = await schemaVersionOf(db);
  const newest = migrations.at(-1)?.version ?? 0;
  if (current > newest) {
    throw new MigrationError(current, new Error(`this database is at schema ${current}, newer than this app (${newest}); update the app`));
  }
  const pending = migrations.filter((migration) => migration.version > current);
  if (pending.length === 0) return [];
  let running = pending[0]!;
  try {
    await db.transaction(async () => {
      for (const migration of pending) {
        running = migration;
        await applyOne(db, migration);
      }
    });
  } catch (error) {
    await rearmAfterRollback(db, [...new Set(pending.flatMap((migration) => migration.alters ?? []))]);
    throw new MigrationError(running.version, error);
  }
  return pending.map((migration) => migration.version);
}

/**
 * ROLLBACK restores the tables, but cr-sqlite keeps the column lists it cached at
 * `crsql_commit_alter` inside the failed transaction; the next write to the table would then
 * fail ("expected N values"). A fresh begin/commit pair re-reads the restored schema.
 */
async function rearmAfterRollback(db: SqliteConnection, tables: readonly string[]): Promise<void> {
  // A table created in the rolled-back transaction is gone, with nothing to re-arm.
  const { rows } = await db.exec("SELECT name FROM sqlite_master WHERE type = 'table'");
  const existing = new Set(rows.map(([name]) => name));
  const kept = tables.filter((table) => existing.has(table));
  if (kept.length === 0) return;
  await db.transaction(async () => {
    for (const table of kept) {
      await db.exec("SELECT crsql_begin_alter(?)", [table]);
      await db.exec("SELECT crsql_commit_alter(?)", [table]);
    }
  });
}

async function applyOne(db: SqliteConnection, migration: Migration): Promise<void> {
  const begun: string[] = [];
  try {
    for (const table of migration.alters ?? []) {
      await db.exec("SELECT crsql_begin_alter(?)", [table]);
      begun.push(table);
    }
    await db.script(migration.sql);
  } finally {
    // Always re-arm the triggers, even when the migration failed: the caller rolls back.
    for (const table of begun) await db.exec("SELECT crsql_commit_alter(?)", [table]);
  }
  await db.script(`PRAGMA user_version = ${Math.trunc(migration.version)}`);
  await db.exec("INSERT OR REPLACE INTO crsql_master (key, value) VALUES ('schema_name', ?), ('schema_version', ?)", [
    SCHEMA_NAME,
    migration.version,
  ]);
}
