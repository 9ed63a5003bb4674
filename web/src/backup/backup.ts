/**
 * Export and import: a full JSON backup of every replicated table, and the notes as Markdown
 * files in a zip (fflate, loaded only when used). Imports run in one transaction: all or nothing.
 */
import { getTableConfig } from "drizzle-orm/sqlite-core";
import { crrTables, notes } from "../../../shared/schema";
import type { DbClient } from "../db/client";
import type { AppDatabase } from "../db/drizzle";
import type { SqlStatement } from "../db/protocol";
import { ImportError, parseNotesJson } from "../notes/importNotes";
import { importNotes } from "../notes/notesRepo";
import { fileNameFor, fromMarkdown, toMarkdown } from "./markdown";
import { checkBackupTables } from "./restoreCheck";

export const BACKUP_FORMAT = "cobrain-backup";
export const BACKUP_VERSION = 1;
/** Rows per multi-row upsert when restoring a backup. */
const RESTORE_ROWS_PER_STATEMENT = 200;

interface Backup {
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

/** Restores a JSON backup over the current data (rows with the same key are replaced). */
async function restoreBackup(client: DbClient, backup: Backup): Promise<number> {
  checkBackupTables(backup.tables); // every value, before anything is written
  const statements: SqlStatement[] = [];
  let count = 0;
  for (const config of tableConfigs) {
    const rows = backup.tables[config.name] ?? [];
    const columns = config.columns.map((c) => c.name);
    const keys = [...config.columns.filter((c) => c.primary).map((c) => c.name), ...config.primaryKeys.flatMap((pk) => pk.columns.map((c) => c.name))];
    const updates = columns.filter((c) => !keys.includes(c));
    for (let i = 0; i < rows.length; i += RESTORE_ROWS_PER_STATEMENT) {
      const chunk = rows.slice(i, i + RESTORE_ROWS_PER_STATEMENT);
      statements.push({
        sql: `INSERT INTO "${config.name}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES ${chunk.map(() => `(${columns.map(() => "?").join(", ")})`).join(", ")}
          ON CONFLICT (${keys.map((k) => `"${k}"`).join(", ")}) DO ${updates.length ? `UPDATE SET ${updates.map((c) => `"${c}" = excluded."${c}"`).join(", ")}` : "NOTHING"}`,
        params: chunk.flatMap((row) => columns.map((c) => (row[c] ?? null) as never)),
        method: "run",
      });
    }
    count += config.name === "notes" ? rows.length : 0;
  }
  if (statements.length > 0) await client.batch(statements);
  return count;
}

/** Imports a JSON backup, a JSON list of notes, or a zip of Markdown files. Returns notes imported. */
export async function importFile(client: DbClient, db: AppDatabase, file: File): Promise<number> {
  if (/\.zip$/i.test(file.name) || file.type === "application/zip") {
    const { unzipSync, strFromU8 } = await import("fflate");
    let entries: Record<string, Uint8Array>;
    try {
      entries = unzipSync(new Uint8Array(await file.arrayBuffer()));
    } catch {
      throw new ImportError("the file is not a readable zip");
    }
    const notesFound = Object.entries(entries)
      .filter(([name]) => /\.md$/i.test(name))
      .map(([name, bytes]) => {
        const note = fromMarkdown(strFromU8(bytes), name);
        return { ...note, trashedAt: /(^|\/)trash\//.test(name) ? Date.now() : null };
      });
    if (notesFound.length === 0) throw new ImportError("the zip holds no Markdown (.md) files");
    return importNotes(db, notesFound);
  }
  const text = await file.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ImportError("the file is neither JSON nor a zip of Markdown files");
  }
  if ((parsed as Backup)?.format === BACKUP_FORMAT) {
    if ((parsed as Backup).version > BACKUP_VERSION) throw new ImportError("this backup comes from a newer CoBrain; update the app first");
    return restoreBackup(client, parsed as Backup);
  }
  return importNotes(db, parseNotesJson(text));
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
