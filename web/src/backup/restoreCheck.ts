/**
 * Checks a whole backup before anything of it is written: every value with the rules the sync
 * server applies to changes (shared/changeValidation.ts) and every text within the replicated
 * cell limit. A backup that would write a value no other device could merge, or one no frame can
 * carry, is refused with the first problems named; the device's data stays as it was.
 */
import { getTableConfig } from "drizzle-orm/sqlite-core";
import { invalidCellReason } from "../../../shared/changeValidation";
import { MAX_SYNC_CELL_BYTES } from "../../../shared/constants";
import { crrTables } from "../../../shared/schema";
import { ImportError } from "../notes/importNotes";
import { t } from "../i18n/i18n";

/** Problems named in the message; the rest are counted. */
const PROBLEMS_SHOWN = 3;

const columnsOf = new Map(Object.values(crrTables).map((t) => {
  const config = getTableConfig(t);
  return [config.name, config.columns.map((c) => c.name)] as const;
}));

const utf8 = new TextEncoder();

export function checkBackupTables(tables: unknown): void {
  if (typeof tables !== "object" || tables === null) throw new ImportError(t("errors.noTables"));
  const problems: string[] = [];
  for (const [table, rows] of Object.entries(tables)) {
    const columns = columnsOf.get(table);
    if (!columns) {
      problems.push(`unknown table ${JSON.stringify(table.slice(0, 64))}`);
      continue;
    }
    if (!Array.isArray(rows)) {
      problems.push(`${table} is not a list of rows`);
      continue;
    }
    rows.forEach((row: unknown, i) => {
      if (typeof row !== "object" || row === null) return void problems.push(`${table} row ${i + 1} is not an object`);
      for (const column of columns) {
        const value = (row as Record<string, unknown>)[column];
        const reason = invalidCellReason(table, column, value);
        if (reason) problems.push(`${table} row ${i + 1}: ${reason}`);
        else if (typeof value === "string" && value.length > MAX_SYNC_CELL_BYTES / 3 && utf8.encode(value).length > MAX_SYNC_CELL_BYTES) {
          problems.push(`${table} row ${i + 1}: ${table}.${column} is too large to sync (${Math.ceil(utf8.encode(value).length / 1024)} KB; the limit is ${MAX_SYNC_CELL_BYTES / 1024} KB)`);
        }
      }
    });
  }
  if (problems.length > 0) {
    const more = problems.length > PROBLEMS_SHOWN ? t("errors.cannotRestoreMore", { count: problems.length - PROBLEMS_SHOWN }) : "";
    throw new ImportError(t("errors.cannotRestore", { problems: problems.slice(0, PROBLEMS_SHOWN).join("; "), more }));
  }
}
