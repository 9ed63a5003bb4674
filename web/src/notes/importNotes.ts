/**
 * Reads a JSON import: an array of notes or `{ "notes": [...] }`, each with a title and/or body
 * (optional: pinned, archived, createdAt, updatedAt in ms). Unknown fields are ignored; a file
 * that is not such JSON is refused with a reason, and nothing is written.
 */
import type { NewNote } from "../../../shared/schema";
import { t } from "../i18n/i18n";

export class ImportError extends Error {}

const int = (v: unknown) => (typeof v === "number" && Number.isSafeInteger(v) ? v : undefined);

export function parseNotesJson(text: string): Array<Omit<NewNote, "id">> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ImportError(t("errors.notJson"));
  }
  const list = Array.isArray(data) ? data : (data as { notes?: unknown })?.notes;
  if (!Array.isArray(list)) throw new ImportError(t("errors.notAList"));
  return list.map((item, i) => {
    if (typeof item !== "object" || item === null) throw new ImportError(t("errors.notAnObject", { number: i + 1 }));
    const n = item as Record<string, unknown>;
    if (typeof n.title !== "string" && typeof n.body !== "string") throw new ImportError(t("errors.noTitleOrBody", { number: i + 1 }));
    return {
      title: typeof n.title === "string" ? n.title : "",
      body: typeof n.body === "string" ? n.body : "",
      pinned: n.pinned === true || n.pinned === 1 ? 1 : 0,
      archived: n.archived === true || n.archived === 1 ? 1 : 0,
      createdAt: int(n.createdAt),
      updatedAt: int(n.updatedAt),
    };
  });
}
