/**
 * Export and import: a full JSON backup of every replicated table, and the notes as Markdown
 * files in a zip (fflate, loaded only when used). Imports (importPlan.ts) run in one
 * transaction: all or nothing.
 */
import { getTableConfig } from "drizzle-orm/sqlite-core";
import { crrTables, notes } from "../../../shared/schema";
import type { DbClient } from "../db/client";
import type { AppDatabase } from "../db/drizzle";
import type { SqlStatement } from "../db/protocol";
import { revisionBeforeReplace } from "../notes/historyRepo";
import { fileNameFor, toMarkdown } from "./markdown";
import { checkBackupTables } from "./restoreCheck";

export const BACKUP_FORMAT = "cobrain-backup";
export const BACKUP_VERSION = 1;
/** Rows per multi-row upsert when restoring a backup. */
const RESTORE_ROWS_PER_STATEMENT = 200;

export interface Backup {
  format: typeof BACKUP_FORMAT;
  version: number;
  exportedAt: string;
  tables: Record<string, Record<string, unknown>[]>;
}

const tableConfigs = Object.values(crrTables).map((t) => getTableConfig(t));

/** Every replicated table, row by row, with SQL column names. */
export async function exportJson(client: DbClient): Promise<Blob> {
  const backup: Backup = { format: BACKUP_FORMAT, version: BACKUP_VERSION, exportedAt: new Date().toISOString(), tables: {} };
  for (const config of tableConfigs) {
    const columns = config.columns.map((c) => c.name);
    const { rows } = await client.query({ sql: `SELECT ${columns.map((c) => `"${c}"`).join(", ")} FROM "${config.name}"`, params: [], method: "all" });
    backup.tables[config.name] = rows.map((row) => Object.fromEntries(columns.map((c, i) => [c, typeof row[i] === "bigint" ? Number(row[i]) : row[i]])));
  }
  return new Blob([JSON.stringify(backup)], { type: "application/json" });
}

export async function exportMarkdownZip(db: AppDatabase): Promise<Blob> {
  const { zipSync, strToU8 } = await import("fflate");
  const files: Record<string, Uint8Array> = {};
  for (const note of await db.select().from(notes)) {
    const folder = note.trashedAt !== null ? "trash/" : note.archived === 1 ? "archive/" : "";
    files[`cobrain/${folder}${fileNameFor(note.title, note.id)}`] = strToU8(toMarkdown(note));
  }
  return new Blob([zipSync(files) as Uint8Array<ArrayBuffer>], { type: "application/zip" });
}

/**
 * Restores a JSON backup over the current data (rows with the same key are replaced), except the
 * notes in `skip` (the device's copy is newer). Each note in `replaced` has its current text kept
 * as a "restore" revision first, in the same batch.
 */
export async function restoreBackup(client: DbClient, db: AppDatabase, backup: Backup, skip: Set<string>, replaced: Array<{ id: string; title: string; body: string; updatedAt: number }>): Promise<number> {
  checkBackupTables(backup.tables); // every value, before anything is written
  const now = Date.now();
  const statements: SqlStatement[] = replaced.map((note) => ({ ...revisionBeforeReplace(db, "restore", note, now).toSQL(), method: "run" }) as SqlStatement);
  let count = 0;
  for (const config of tableConfigs) {
    const all = backup.tables[config.name] ?? [];
    const rows = config.name === "notes" ? all.filter((row) => !skip.has(row.id as string)) : all;
    const columns = config.columns.map((c) => c.name);
    const keys = [...config.columns.filter((c) => c.primary).map((c) => c.name), ...config.primaryKeys.flatMap((pk) => pk.columns.map((c) => c.name))];
    const updates = columns.filter((c) => !keys.includes(c));
    // Never an older copy over a note edited since the preview was shown.
    const guard = config.name === "notes" ? ` WHERE "notes"."updated_at" <= excluded."updated_at"` : "";
    for (let i = 0; i < rows.length; i += RESTORE_ROWS_PER_STATEMENT) {
      const chunk = rows.slice(i, i + RESTORE_ROWS_PER_STATEMENT);
      statements.push({
        sql: `INSERT INTO "${config.name}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES ${chunk.map(() => `(${columns.map(() => "?").join(", ")})`).join(", ")}
          ON CONFLICT (${keys.map((k) => `"${k}"`).join(", ")}) DO ${updates.length ? `UPDATE SET ${updates.map((c) => `"${c}" = excluded."${c}"`).join(", ")}${guard}` : "NOTHING"}`,
        params: chunk.flatMap((row) => columns.map((c) => (row[c] ?? null) as never)),
        method: "run",
      });
    }
    count += config.name === "notes" ? rows.length : 0;
  }
  if (statements.length > 0) await client.batch(statements);
  return count;
}

/** Offers a blob as a download. */
export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = Object.assign(document.createElement("a"), { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
