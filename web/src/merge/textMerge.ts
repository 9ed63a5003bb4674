/**
 * Three-way merge of two concurrent versions of one text against their common ancestor, with
 * node-diff3 over word tokens (words, runs of spaces or line breaks, single punctuation marks), so
 * edits to different words of one line merge as cleanly as edits to different lines
 * (textMerge.test.ts shows why node-diff3 and not diff-match-patch).
 *
 * The result must be the same on every device that merges the same pair, whichever side is its
 * own: `winner` is the value cr-sqlite's rule keeps (the same everywhere), and every choice below
 * prefers it. Where both sides only inserted at the same place, both insertions are kept whole,
 * the winner's first (one only, if it holds the other): nothing is lost and nothing is a conflict.
 * Where one side changed some words and the other kept them and only wrote right before or after
 * them, both apply. Where both replaced the same words differently, the winner's words stay and
 * `conflict` is true: the caller keeps the loser's whole text as a conflict revision.
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
    const { a: ua, o: uo, b: ub } = block.conflict!;
    const [ca, co, cb] = [ua.join(""), uo.join(""), ub.join("")];
    if (co === "") {
      out.push(unionOfInsertions(ca, cb)); // both inserted at the same place: keep both
    } else if (inner) {
      const finer = inner(co, ca, cb);
      conflict ||= finer.conflict;
      out.push(finer.text);
    } else {
      const beside = besideChange(uo, ua, ub);
      conflict ||= beside === undefined; // both replaced the same words differently: the winner's stay
      out.push(beside ?? ca);
    }
  }
  out.push(...o.slice(o.length - tail));
  return { text: out.join(""), conflict };
}

/**
 * Words one side kept, and only wrote before or after, while the other changed them (node-diff3
 * reports "call" → "calling" on one side and "call" → "call email" on the other as one overlapping
 * block): the change, with the other side's writing around it ("calling email"). Undefined when
 * neither side kept them.
 */
function besideChange(o: string[], a: string[], b: string[]): string | undefined {
  const text = (xs: string[]) => xs.join("");
  const trimmed = (xs: string[]) => xs.map((unit) => unit.trim());
  const begins = (xs: string[], part: string[]) => part.length <= xs.length && part.every((unit, i) => xs[i] === unit);
  const ends = (xs: string[], part: string[]) => part.length <= xs.length && part.every((unit, i) => xs[xs.length - part.length + i] === unit);
  // One side's change already holds the other's (a merge merged again): that side, unchanged.
  if (holds(trimmed(a), trimmed(b))) return text(a);
  if (holds(trimmed(b), trimmed(a))) return text(b);
  // The kept side's writing around the words goes around the change, unless the change already
  // carries it (merged before).
  const around = (changed: string[], kept: string[]): string | undefined => {
    if (kept.length <= o.length) return undefined;
    if (begins(kept, o)) {
      const after = kept.slice(o.length);
      return text(changed) + (ends(changed, after) ? "" : text(after));
    }
    if (ends(kept, o)) {
      const before = kept.slice(0, kept.length - o.length);
      return (begins(changed, before) ? "" : text(before)) + text(changed);
    }
    return undefined;
  };
  return around(a, b) ?? around(b, a);
}

/**
 * Two insertions at the same place: both whole, the winner's first, or only the one that already
 * begins or ends with the other (its lines, or its words within a line). So a device merging
 * text that already holds an earlier merge of the same insertions adds nothing, and repeated
 * merges cannot grow the text. Nothing is dropped word by word: a loser's words the winner also
 * happens to use ("the", "5") are the loser's writing too.
 */
function unionOfInsertions(a: string, b: string): string {
  const lines = a.includes("\n") || b.includes("\n");
  const units = (text: string) => (lines ? (text.match(/[^\n]*\n|[^\n]+$/g) ?? []) : tokens(text)).map((unit) => unit.trim());
  if (holds(units(a), units(b))) return a;
  if (holds(units(b), units(a))) return b;
  // Keep the two apart where neither side left a break between them (lines: a line break).
  const apart = lines ? /\n$/.test(a) || /^\n/.test(b) : /\s$/.test(a) || /^\s/.test(b);
  const joint = apart || a === "" ? "" : lines ? "\n" : " ";
  return a + joint + b;
}

/**
 * Whether `outer`'s units, blank ones at the ends left out, begin or end with `inner`'s (so left
 * out too). Only at an end: a merge of two insertions is one then the other, and words found in
 * the middle of another's writing are not that writing. Blank units count only against blank ones.
 */
function holds(outer: string[], inner: string[]): boolean {
  const run = withoutBlankEnds(inner);
  const whole = withoutBlankEnds(outer);
  if (run.length === 0) return whole.length === 0;
  if (run.length > whole.length) return false;
  const at = (offset: number) => run.every((unit, i) => whole[offset + i] === unit);
  return at(0) || at(whole.length - run.length);
}

function withoutBlankEnds(units: string[]): string[] {
  let [start, end] = [0, units.length];
  while (start < end && units[start] === "") start++;
  while (end > start && units[end - 1] === "") end--;
  return units.slice(start, end);
}
