import { diff_match_patch } from "diff-match-patch";
import { describe, expect, it } from "vitest";
import { mergeText } from "./textMerge";

/** diff-match-patch as Obsidian uses it: patches base→loser applied (fuzzily) onto the winner. */
function dmpMerge(ancestor: string, winner: string, loser: string): { text: string; conflict: boolean } {
  const dmp = new diff_match_patch();
  const [text, applied] = dmp.patch_apply(dmp.patch_make(ancestor, loser), winner);
  return { text, conflict: applied.some((ok) => !ok) };
}

const cases = [
  { name: "different lines", base: "one\ntwo\nthree", a: "ONE\ntwo\nthree", b: "one\ntwo\nTHREE", want: "ONE\ntwo\nTHREE" },
  { name: "different words of one line", base: "the quick brown fox", a: "the slow brown fox", b: "the quick brown cat", want: "the slow brown cat" },
  { name: "appended paragraphs", base: "Day 1: Lisbon.", a: "Day 1: Lisbon.\n\nDay 2: Porto.", b: "Day 1: Lisbon.\n\nDay 2: book the hotel in Sintra.", want: "Day 1: Lisbon.\n\nDay 2: Porto.\n\nDay 2: book the hotel in Sintra." },
  { name: "the same edit on both", base: "a b c", a: "a X c", b: "a X c", want: "a X c" },
];

describe("three-way text merge", () => {
  for (const c of cases) {
    it(`${c.name}: merges cleanly, keeping both sides`, () => {
      expect(mergeText(c.base, c.a, c.b)).toEqual({ text: c.want, conflict: false });
    });
  }

  it("the same words changed differently: the winner's words stay and it is a conflict", () => {
    expect(mergeText("Meet at noon.\nBring maps.", "Meet at the station.\nBring maps.", "Meet at the museum.\nBring maps.")).toEqual({
      text: "Meet at the station.\nBring maps.",
      conflict: true,
    });
  });

  it("gives the same text whichever device merges (the winner decides order)", () => {
    const base = "x";
    expect(mergeText(base, "x a", "x b").text).toBe(mergeText(base, "x a", "x b").text);
    expect(mergeText(base, "x a", "x b").text).toBe("x a b");
  });

  it("chosen over diff-match-patch: diff-match-patch reports an overlapping edit as applied, so a lost side would go unseen", () => {
    // Overlap: dmp applies the loser's patch fuzzily and reports success, so a loss is not seen.
    const overlap = dmpMerge("Meet at noon.", "Meet at the station.", "Meet at the museum.");
    const ours = mergeText("Meet at noon.", "Meet at the station.", "Meet at the museum.");
    expect(ours.conflict).toBe(true);
    expect(overlap.conflict === false && !(overlap.text.includes("station") && overlap.text.includes("museum"))).toBe(true);
  });
});
