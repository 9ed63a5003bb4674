/**
 * Reads a JSON import: an array of notes or `{ "notes": [...] }`, each with a title and/or body
 * (optional: pinned, archived, createdAt, updatedAt in ms). Unknown fields are ignored; a file
 * that is not such JSON is refused with a reason, and nothing is written.
 */
import type { NewNote } from "../../../shared/schema";

export class ImportError extends Error {}

const int = (v: unknown) => (typeof v === "number" && Number.isSafeInteger(v) ? v : undefined);

export function parseNotesJson(text: string): Array<Omit<NewNote, "id">> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ImportError("the file is not JSON");
  }
  const list = Array.isArray(data) ? data : (data as { notes?: unknown })?.notes;
  if (!Array.isArray(list)) throw new ImportError('expected a list of notes or { "notes": [...] }');
  return list.map((item, i) => {
    if (typeof item !== "object" || item === null) throw new ImportError(`note ${i + 1} is not an object`);
    const n = item as Record<string, unknown>;
    if (typeof n.title !== "string" && typeof n.body !== "string") throw new ImportError(`note ${i + 1} has neither title nor body`);
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
