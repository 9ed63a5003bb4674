/**
 * What changed between two versions of a note's text, for the history panel: jsdiff's word diff
 * (whitespace and newlines are tokens, so the text rebuilds exactly), falling back to its line
 * diff when the word diff would take longer than HISTORY_DIFF_TIMEOUT_MS.
 */
import { diffLines, diffWordsWithSpace, type ChangeObject } from "diff";
import { HISTORY_DIFF_TIMEOUT_MS } from "../../../shared/constants";

export interface DiffSegment {
  kind: "same" | "added" | "removed";
  text: string;
}

/** Segments that turn `before` into `after`: "same" and "removed" rebuild `before`, "same" and "added" rebuild `after`. */
export function textDiff(before: string, after: string): DiffSegment[] {
  const changes: ChangeObject<string>[] = diffWordsWithSpace(before, after, { timeout: HISTORY_DIFF_TIMEOUT_MS }) ?? diffLines(before, after);
  const segments: DiffSegment[] = [];
  for (const change of changes) {
    if (change.value === "") continue;
    const kind = change.added ? "added" : change.removed ? "removed" : "same";
    const last = segments.at(-1);
    if (last?.kind === kind) last.text += change.value;
    else segments.push({ kind, text: change.value });
  }
  return segments;
}

/** True when the two texts differ at all (a diff of equal texts is one "same" segment or none). */
export const hasChanges = (segments: readonly DiffSegment[]) => segments.some((s) => s.kind !== "same");
