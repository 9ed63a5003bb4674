/**
 * Turns what a person types into an FTS5 query: every word must match, each as a prefix (results
 * as you type), quotes escaped so no input is an FTS syntax error. Highlights are marked with
 * control characters, never HTML, so note text is always rendered as text.
 */
export const MARK_START = "\u0002";
export const MARK_END = "\u0003";

export function toFtsQuery(input: string): string | undefined {
  const words = input
    .normalize("NFKC")
    .split(/[\s\p{P}\p{S}]+/u)
    .filter((w) => w.length > 0)
    .slice(0, 12);
  if (words.length === 0) return undefined;
  return words.map((w) => `"${w.replaceAll('"', '""')}"*`).join(" ");
}

export interface Highlighted {
  text: string;
  marked: boolean;
}

/** Splits FTS5 highlight()/snippet() output into plain and matched parts. */
export function splitHighlights(value: string): Highlighted[] {
  const parts: Highlighted[] = [];
  let rest = value;
  while (rest.length > 0) {
    const start = rest.indexOf(MARK_START);
    if (start === -1) {
      parts.push({ text: rest, marked: false });
      break;
    }
    if (start > 0) parts.push({ text: rest.slice(0, start), marked: false });
    const end = rest.indexOf(MARK_END, start);
    const stop = end === -1 ? rest.length : end;
    parts.push({ text: rest.slice(start + 1, stop), marked: true });
    rest = rest.slice(stop + 1);
  }
  return parts.filter((p) => p.text.length > 0);
}
