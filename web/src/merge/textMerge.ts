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
import { MAX_WORD_MERGE_TOKENS } from "../../../shared/constants";

export interface TextMerge {
  text: string;
  /** Both sides changed the same words differently; the loser's words are not in `text`. */
  conflict: boolean;
}

const TOKEN = /\s+|[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu;

export function tokens(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

const lines = (text: string) => text.match(/[^\n]*\n|[^\n]+$/g) ?? [];

/** Lines first (fast: a 20 KB note has a few hundred), then words inside lines both sides changed. */
export function mergeText(ancestor: string, winner: string, loser: string): TextMerge {
  if (winner === loser || loser === ancestor) return { text: winner, conflict: false };
  if (winner === ancestor) return { text: loser, conflict: false };
  return merge3(lines(ancestor), lines(winner), lines(loser), (o, a, b) => {
    const [to, ta, tb] = [tokens(o), tokens(a), tokens(b)];
    if (to.length + ta.length + tb.length > 3 * MAX_WORD_MERGE_TOKENS) return { text: a, conflict: true };
    return merge3(to, ta, tb);
  });
}

/**
 * diff3 over units. node-diff3's LCS is quadratic, so only the part between what all three share at
 * the start and at the end goes through it; `inner` re-merges a block both sides changed, finer.
 */
function merge3(o: string[], a: string[], b: string[], inner?: (o: string, a: string, b: string) => TextMerge): TextMerge {
  let head = 0;
  while (head < a.length && head < o.length && head < b.length && a[head] === o[head] && b[head] === o[head]) head++;
  let tail = 0;
  const room = Math.min(a.length, o.length, b.length) - head;
  while (tail < room && a[a.length - 1 - tail] === o[o.length - 1 - tail] && b[b.length - 1 - tail] === o[o.length - 1 - tail]) tail++;
  const middle = (xs: string[]) => xs.slice(head, xs.length - tail);
  let conflict = false;
  const out: string[] = o.slice(0, head);
  for (const block of diff3Merge(middle(a), middle(o), middle(b), { excludeFalseConflicts: true })) {
    if (block.ok) {
      out.push(...block.ok);
      continue;
    }
    const [ca, co, cb] = [block.conflict!.a.join(""), block.conflict!.o.join(""), block.conflict!.b.join("")];
    if (co === "") {
      out.push(unionOfInsertions(ca, cb)); // both inserted at the same place: keep both
    } else if (inner) {
      const finer = inner(co, ca, cb);
      conflict ||= finer.conflict;
      out.push(finer.text);
    } else {
      conflict = true; // both replaced the same words differently: the winner's stay
      out.push(ca);
    }
  }
  out.push(...o.slice(o.length - tail));
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
