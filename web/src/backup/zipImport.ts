/**
 * Reads the Markdown notes of a zip, refusing a zip over the caps (MAX_IMPORT_ZIP_ENTRIES,
 * MAX_IMPORT_UNPACKED_BYTES) from its central directory, before anything is inflated.
 */
import { MAX_IMPORT_UNPACKED_BYTES, MAX_IMPORT_ZIP_ENTRIES } from "../../../shared/constants";
import { ImportError } from "../notes/importNotes";
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
    throw new ImportError("the file is not a readable zip");
  }
  if (entries > MAX_IMPORT_ZIP_ENTRIES) {
    throw new ImportError(`the zip holds ${entries.toLocaleString("en")} files; the limit is ${MAX_IMPORT_ZIP_ENTRIES.toLocaleString("en")} files per import`);
  }
  if (unpacked > MAX_IMPORT_UNPACKED_BYTES) {
    throw new ImportError(`the zip unpacks to ${Math.ceil(unpacked / MB).toLocaleString("en")} MB; the limit is ${MAX_IMPORT_UNPACKED_BYTES / MB} MB per import`);
  }
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, { filter: (file) => /\.md$/i.test(file.name) });
  } catch {
    throw new ImportError("the file is not a readable zip");
  }
  // The directory could understate the sizes; what was really unpacked is checked too.
  const real = Object.values(files).reduce((sum, f) => sum + f.length, 0);
  if (real > MAX_IMPORT_UNPACKED_BYTES) throw new ImportError(`the zip unpacks to more than ${MAX_IMPORT_UNPACKED_BYTES / MB} MB; the limit is ${MAX_IMPORT_UNPACKED_BYTES / MB} MB per import`);
  const notes = Object.entries(files).map(([name, data]) => ({ ...fromMarkdown(strFromU8(data), name), trashedAt: /(^|\/)trash\//.test(name) ? now : null }));
  if (notes.length === 0) throw new ImportError("the zip holds no Markdown (.md) files");
  return notes;
}
