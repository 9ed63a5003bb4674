/**
 * Where a selection in `before` belongs in `after`, when the text changed around it (another
 * device's edit merged in): each end moves with the text it was in, so a change both before and
 * after the caret leaves it after the same word. diff-match-patch finds the changes; mapping an
 * offset through them is the few lines below (its own `diff_xIndex` puts a caret after text
 * inserted right at it, where the person's next key would land behind the other device's words).
 */
import { DIFF_DELETE, DIFF_EQUAL, diff_match_patch } from "diff-match-patch";

/** A caret is not worth a long diff: past this the diff is coarser (the text is right either way). */
const CARET_DIFF_TIMEOUT_S = 0.02;

export function caretsAfterChange(before: string, after: string, positions: number[]): number[] {
  if (before === after) return positions;
  const dmp = new diff_match_patch();
  dmp.Diff_Timeout = CARET_DIFF_TIMEOUT_S;
  const diffs = dmp.diff_main(before, after);
  dmp.diff_cleanupSemantic(diffs);
  return positions.map((pos) => {
    let [inBefore, inAfter] = [0, 0];
    for (const [op, text] of diffs) {
      if (op === DIFF_EQUAL) {
        if (pos <= inBefore + text.length) return inAfter + (pos - inBefore); // in unchanged text, or at its end: before what follows
        inBefore += text.length;
        inAfter += text.length;
      } else if (op === DIFF_DELETE) {
        if (pos < inBefore + text.length) return inAfter; // inside deleted text: where it was
        inBefore += text.length;
      } else {
        inAfter += text.length;
      }
    }
    return Math.min(after.length, inAfter + Math.max(0, pos - inBefore));
  });
}
