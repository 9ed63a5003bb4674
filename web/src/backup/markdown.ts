/**
 * Notes as Markdown files with a small front matter, CoBrain's own format: values are JSON, so
 * any title survives. Files without front matter (from other apps) import with the file name as
 * title. Written by hand: the format is ours and a YAML library would be 10× this file.
 */
export interface MarkdownNote {
  id?: string;
  title: string;
  body: string;
  pinned: number;
  archived: number;
  createdAt?: number;
  updatedAt?: number;
}

const FENCE = "---";

export function toMarkdown(note: Required<Omit<MarkdownNote, "id">> & { id: string }): string {
  const meta = {
    id: note.id,
    title: note.title,
    pinned: note.pinned === 1,
    archived: note.archived === 1,
    created: new Date(note.createdAt).toISOString(),
    updated: new Date(note.updatedAt).toISOString(),
  };
  const lines = Object.entries(meta).map(([key, value]) => `${key}: ${JSON.stringify(value)}`);
  return `${FENCE}\n${lines.join("\n")}\n${FENCE}\n${note.body}`;
}

export function fromMarkdown(text: string, fileName: string): MarkdownNote {
  const fallbackTitle = fileName.replace(/^.*\//, "").replace(/\.md$/i, "");
  const normalised = text.replace(/\r\n/g, "\n");
  if (!normalised.startsWith(`${FENCE}\n`)) return { title: fallbackTitle, body: normalised, pinned: 0, archived: 0 };
  const end = normalised.indexOf(`\n${FENCE}\n`, FENCE.length);
  if (end === -1) return { title: fallbackTitle, body: normalised, pinned: 0, archived: 0 };
  const meta: Record<string, unknown> = {};
  for (const line of normalised.slice(FENCE.length + 1, end).split("\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const raw = line.slice(colon + 1).trim();
    try {
      meta[line.slice(0, colon).trim()] = JSON.parse(raw);
    } catch {
      meta[line.slice(0, colon).trim()] = raw;
    }
  }
  const time = (v: unknown) => (typeof v === "string" && !Number.isNaN(Date.parse(v)) ? Date.parse(v) : undefined);
  return {
    id: typeof meta.id === "string" ? meta.id : undefined,
    title: typeof meta.title === "string" ? meta.title : fallbackTitle,
    body: normalised.slice(end + FENCE.length + 2),
    pinned: meta.pinned === true ? 1 : 0,
    archived: meta.archived === true ? 1 : 0,
    createdAt: time(meta.created),
    updatedAt: time(meta.updated),
  };
}

/** A file name for the note: its title made safe, made unique by the caller. */
export function fileNameFor(title: string, id: string): string {
  const slug = title
    .normalize("NFKD")
    .replace(/[^\p{L}\p{N}\- ]+/gu, "")
    .trim()
    .replace(/\s+/g, "-")
    .slice(0, 60);
  return `${slug || "untitled"}-${id.slice(-6)}.md`;
}
