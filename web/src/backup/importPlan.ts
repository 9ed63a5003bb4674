/**
 * What an import will do, worked out before anything is written: which notes are new, which
 * replace an older copy on this device, and which are skipped because the device's copy is newer
 * (or edited at the same time: the device's is kept). The user sees this and confirms; `apply`
 * then writes all of it in one batch or nothing.
 */
import { inArray } from "drizzle-orm";
import { notes } from "../../../shared/schema";
import type { DbClient } from "../db/client";
import type { AppDatabase } from "../db/drizzle";
import { ImportError, parseNotesJson } from "../notes/importNotes";
import { revisionBeforeReplace } from "../notes/historyRepo";
import { checkNoteSize, importNotes } from "../notes/notesRepo";
import { BACKUP_FORMAT, BACKUP_VERSION, restoreBackup, type Backup } from "./backup";
import { checkBackupTables } from "./restoreCheck";
import { readZipNotes } from "./zipImport";
import { t } from "../i18n/i18n";

export interface ImportPlan {
  /** "backup": a full JSON backup (every table); "notes": a JSON list or a zip of Markdown. */
  source: "backup" | "notes";
  /** Titles of the notes in each group. */
  added: string[];
  updated: string[];
  /** The device has a newer version (or one edited at the same time): left as it is. */
  skipped: string[];
  /** Same text on the device already. */
  unchanged: number;
  /** Writes the import; returns how many notes were written. */
  apply(): Promise<number>;
}

interface Incoming {
  id?: string;
  title: string;
  body: string;
  updatedAt?: number;
}

type Verdict = "added" | "updated" | "skipped" | "unchanged";

/** Rows per `IN (...)` when reading the device's copies. */
const IDS_PER_QUERY = 500;

/** Sorts incoming notes against the device's copies of the same ids. */
export async function classify(db: AppDatabase, incoming: Incoming[]): Promise<Verdict[]> {
  const ids = [...new Set(incoming.flatMap((n) => (n.id ? [n.id] : [])))];
  const current = new Map<string, { title: string; body: string; updatedAt: number }>();
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    const rows = await db.select({ id: notes.id, title: notes.title, body: notes.body, updatedAt: notes.updatedAt }).from(notes).where(inArray(notes.id, ids.slice(i, i + IDS_PER_QUERY)));
    for (const row of rows) current.set(row.id, row);
  }
  return incoming.map((note) => {
    const mine = note.id ? current.get(note.id) : undefined;
    if (!mine) return "added";
    if (mine.title === note.title && mine.body === note.body) return "unchanged";
    // A copy without an edited time cannot be shown to be newer; at equal times the device's stays.
    return note.updatedAt !== undefined && note.updatedAt > mine.updatedAt ? "updated" : "skipped";
  });
}

function group(incoming: Incoming[], verdicts: Verdict[]) {
  const titles = (v: Verdict) => incoming.filter((_, i) => verdicts[i] === v).map((n) => n.title || "Untitled");
  return { added: titles("added"), updated: titles("updated"), skipped: titles("skipped"), unchanged: verdicts.filter((v) => v === "unchanged").length };
}

/** Reads a JSON backup, a JSON list of notes or a zip of Markdown files and plans its import. */
export async function planImport(client: DbClient, db: AppDatabase, file: File): Promise<ImportPlan> {
  if (/\.zip$/i.test(file.name) || file.type === "application/zip") return planNotes(db, await readZipNotes(new Uint8Array(await file.arrayBuffer())));
  const text = await file.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ImportError(t("errors.unknownFile"));
  }
  if ((parsed as Backup)?.format === BACKUP_FORMAT) {
    if ((parsed as Backup).version > BACKUP_VERSION) throw new ImportError(t("errors.newerBackup"));
    return planBackup(client, db, parsed as Backup);
  }
  return planNotes(db, parseNotesJson(text));
}

async function planNotes(db: AppDatabase, rows: Parameters<typeof importNotes>[1]): Promise<ImportPlan> {
  rows.forEach(checkNoteSize); // a note too long to sync is refused before the preview
  const incoming = rows.map((r) => ({ id: r.id, title: r.title ?? "", body: r.body ?? "", updatedAt: r.updatedAt ?? undefined }));
  const verdicts = await classify(db, incoming);
  const now = Date.now();
  // New notes without an edited time get now; copies of existing notes keep theirs (checked above).
  const writes = rows.filter((_, i) => verdicts[i] === "added" || verdicts[i] === "updated");
  const revisions = incoming.filter((_, i) => verdicts[i] === "updated").map((n) => revisionBeforeReplace(db, "import", { id: n.id!, title: n.title, body: n.body, updatedAt: n.updatedAt! }, now));
  return { source: "notes", ...group(incoming, verdicts), apply: () => importNotes(db, writes, revisions) };
}

async function planBackup(client: DbClient, db: AppDatabase, backup: Backup): Promise<ImportPlan> {
  checkBackupTables(backup.tables); // a backup no device could sync is refused before the preview
  const rows = Array.isArray(backup.tables?.notes) ? backup.tables.notes : [];
  const incoming = rows.map((r) => ({
    id: typeof r?.id === "string" ? r.id : undefined,
    title: typeof r?.title === "string" ? r.title : "",
    body: typeof r?.body === "string" ? r.body : "",
    updatedAt: typeof r?.updated_at === "number" ? r.updated_at : undefined,
  }));
  const verdicts = await classify(db, incoming);
  const skip = new Set(incoming.filter((n, i) => verdicts[i] === "skipped" && n.id).map((n) => n.id!));
  const replaced = incoming.filter((_, i) => verdicts[i] === "updated").map((n) => ({ id: n.id!, title: n.title, body: n.body, updatedAt: n.updatedAt! }));
  const groups = group(incoming, verdicts);
  return {
    source: "backup",
    ...groups,
    // Counted like a notes import: the notes new or updated, not those already the same.
    apply: async () => {
      await restoreBackup(client, db, backup, skip, replaced);
      return groups.added.length + groups.updated.length;
    },
  };
}
