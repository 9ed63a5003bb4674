/**
 * Reads the Markdown notes of a zip, refusing a zip over the caps (MAX_IMPORT_ZIP_ENTRIES,
 * MAX_IMPORT_UNPACKED_BYTES) from its central directory, before anything is inflated.
 */
import { MAX_IMPORT_UNPACKED_BYTES, MAX_IMPORT_ZIP_ENTRIES } from "../../../shared/constants";
import { ImportError } from "../notes/importNotes";
import { t } from "../i18n/i18n";
import { fromMarkdown, type MarkdownNote } from "./markdown";

const MB = 1024 * 1024;

export async function readZipNotes(bytes: Uint8Array, now = Date.now()): Promise<Array<MarkdownNote & { trashedAt: number | null }>> {
  const { unzipSync, strFromU8 } = await import("fflate");
  let entries = 0;
  let unpacked = 0;
  try {
    // First pass: the filter sees every entry's sizes from the central directory and keeps none.
    unzipSync(bytes, {
      filter: (file) => {
        entries += 1;
        unpacked += file.originalSize;
        return false;
      },
    });
  } catch {
    throw new ImportError(t("errors.notAZip"));
  }
  if (entries > MAX_IMPORT_ZIP_ENTRIES) {
    throw new ImportError(t("errors.zipEntries", { count: entries, limit: MAX_IMPORT_ZIP_ENTRIES }));
  }
  if (unpacked > MAX_IMPORT_UNPACKED_BYTES) {
    throw new ImportError(t("errors.zipSize", { size: Math.ceil(unpacked / MB), limit: MAX_IMPORT_UNPACKED_BYTES / MB }));
  }
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, { filter: (file) => /\.md$/i.test(file.name) });
  } catch {
    throw new ImportError(t("errors.notAZip"));
  }
  // The directory could understate the sizes; what was really unpacked is checked too.
  const real = Object.values(files).reduce((sum, f) => sum + f.length, 0);
  if (real > MAX_IMPORT_UNPACKED_BYTES) throw new ImportError(t("errors.zipSizeMore", { limit: MAX_IMPORT_UNPACKED_BYTES / MB }));
  const notes = Object.entries(files).map(([name, data]) => ({ ...fromMarkdown(strFromU8(data), name), trashedAt: /(^|\/)trash\//.test(name) ? now : null }));
  if (notes.length === 0) throw new ImportError(t("errors.zipEmpty"));
  return notes;
}
