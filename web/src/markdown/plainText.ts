/**
 * Markdown as one line of plain text, for the note list and search snippets: no `#`, `**`,
 * links' URLs, list leaders, task boxes or table pipes. `remove-markdown` does the CommonMark part;
 * the few GFM and CoBrain forms it leaves (task boxes, tables, `[[links]]`) are removed here,
 * since they are single-line patterns a parser would be heavy for at first paint.
 */
import removeMarkdown from "remove-markdown";

/** Most a snippet needs: the list shows one line, and a longer body costs time on every row. */
export const PLAIN_TEXT_INPUT_CHARS = 1_000;

const TASK_BOX = /^\s*\[[ xX]\]\s+/gm;
const TABLE_RULE = /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/gm;
const TABLE_PIPE = /\s*\|\s*/g;
const WIKI_LINK = /\[\[([^\]\n]+?)\]\]/g;
const SPACES = /\s+/g;

/** The text a reader sees in `markdown`, on one line (only its first `PLAIN_TEXT_INPUT_CHARS` are read). */
export function plainText(markdown: string): string {
  const head = markdown.slice(0, PLAIN_TEXT_INPUT_CHARS);
  const stripped = removeMarkdown(head.replace(WIKI_LINK, "$1"), { gfm: true, useImgAltText: true });
  return stripped.replace(TASK_BOX, "").replace(TABLE_RULE, "").replace(TABLE_PIPE, " ").replace(SPACES, " ").trim();
}
