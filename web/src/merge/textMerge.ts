/**
 * Three-way merge of two concurrent versions of one text against their common ancestor, with
 * node-diff3 over word tokens (words, runs of spaces or line breaks, single punctuation marks), so
 * edits to different words of one line merge as cleanly as edits to different lines
 * (textMerge.test.ts shows why node-diff3 and not diff-match-patch).
 *
 * The result must be the same on every device that merges the same pair, whichever side is its
 * own: `winner` is the value cr-sqlite's rule keeps (the same everywhere), and every choice below
 * prefers it. Where both sides only inserted at the same place, both insertions are kept, the
 * winner's first (one only, if it holds the other): nothing is lost and nothing is a conflict. Where both replaced the same words
 * differently, the winner's words stay and `conflict` is true: the caller keeps the loser's whole
 * text as a conflict revision.
 */
import { diff3Merge } from "node-diff3";

export interface TextMerge {
  text: string;
  /** Both sides changed the same words differently; the loser's words are not in `text`. */
  conflict: boolean;
}

const TOKEN = /\s+|[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu;

export function tokens(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

export function mergeText(ancestor: string, winner: string, loser: string): TextMerge {
  if (winner === loser || loser === ancestor) return { text: winner, conflict: false };
  if (winner === ancestor) return { text: loser, conflict: false };
  let conflict = false;
  const out: string[] = [];
  for (const block of diff3Merge(tokens(winner), tokens(ancestor), tokens(loser), { excludeFalseConflicts: true })) {
    if (block.ok) {
      out.push(...block.ok);
    } else if (block.conflict!.o.length === 0) {
      out.push(unionOfInsertions(block.conflict!.a.join(""), block.conflict!.b.join("")));
    } else {
      conflict = true;
      out.push(...block.conflict!.a);
    }
  }
  return { text: out.join(""), conflict };
}

/**
 * Two insertions at the same place: the winner's, then the lines (or words, within a line) of the
 * loser's that the winner's does not already hold. A device merging text that already holds an
 * earlier merge of the same insertions adds nothing, so repeated merges cannot grow the text.
 */
function unionOfInsertions(a: string, b: string): string {
  const lines = a.includes("\n") || b.includes("\n");
  const units = (text: string) => (lines ? (text.match(/[^\n]*\n|[^\n]+$/g) ?? []) : tokens(text));
  const blank = (unit: string) => unit.trim() === "";
  const held = new Map<string, number>();
  for (const unit of units(a)) if (!blank(unit)) held.set(unit.trim(), (held.get(unit.trim()) ?? 0) + 1);
  const extra = units(b).filter((unit) => {
    if (blank(unit)) return true;
    const count = held.get(unit.trim()) ?? 0;
    if (count > 0) held.set(unit.trim(), count - 1);
    return count === 0;
  });
  if (extra.every(blank)) return a;
  const added = extra.join("");
  // Keep the two apart where neither side left a break between them.
  const joint = /\s$/.test(a) || /^\s/.test(added) || a === "" ? "" : lines ? "\n" : " ";
  return a + joint + added;
}
