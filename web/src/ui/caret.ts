/**
 * Where a selection in `before` belongs in `after`, when the text changed around it (another
 * device's edit merged in): each end moves with the text it was in, so a change both before and
 * after the caret leaves it after the same word. diff-match-patch finds the changes; mapping an
 * offset through them is the few lines below (its own `diff_xIndex` puts a caret after text
 * inserted right at it, where the person's next key would land behind the other device's words).
 */
import { DIFF_DELETE, DIFF_EQUAL, DIFF_INSERT, diff_match_patch } from "diff-match-patch";

/** A caret is not worth a long diff: past this the diff is coarser (the text is right either way). */
const CARET_DIFF_TIMEOUT_S = 0.02;

export function caretsAfterChange(before: string, after: string, positions: number[]): number[] {
  if (before === after) return positions;
  const dmp = new diff_match_patch();
  dmp.Diff_Timeout = CARET_DIFF_TIMEOUT_S;
  // Lossless cleanup only (diff_main's own): a semantic one folds short unchanged text into the
  // edits around it, and a caret there would jump to the start of the change.
  const diffs = dmp.diff_main(before, after);
  return positions.map((pos) => {
    let [inBefore, inAfter] = [0, 0];
    for (const [index, [op, text]] of diffs.entries()) {
      if (op === DIFF_EQUAL) {
        if (pos <= inBefore + text.length) return inAfter + (pos - inBefore); // in unchanged text, or at its end: before what follows
        inBefore += text.length;
        inAfter += text.length;
      } else if (op === DIFF_DELETE) {
        if (pos < inBefore + text.length) {
          // Inside replaced text (a coarse diff replaces much at once): as far in as the new text goes.
          const [nextOp, inserted] = diffs[index + 1] ?? [];
          return inAfter + (nextOp === DIFF_INSERT ? Math.min(pos - inBefore, inserted!.length) : 0);
        }
        inBefore += text.length;
      } else {
        inAfter += text.length;
      }
    }
    return Math.min(after.length, inAfter + Math.max(0, pos - inBefore));
  });
}
