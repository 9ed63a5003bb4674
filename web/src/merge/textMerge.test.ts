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

  it("insertions at the same place keep every word of both, the words they share included", () => {
    // Both devices appended to the same note: the loser's "the", "5" are its writing too.
    expect(mergeText("Plan:", "Plan: call the bank at 5", "Plan: email the landlord about flat 5")).toEqual({
      text: "Plan: call the bank at 5 email the landlord about flat 5",
      conflict: false,
    });
    expect(mergeText("Todo\n", "Todo\n- milk\nThanks,\n", "Todo\n- eggs\nThanks,\n")).toEqual({
      text: "Todo\n- milk\nThanks,\n- eggs\nThanks,\n",
      conflict: false,
    });
  });

  it("an insertion one side already holds is not added again, so merging a merge again changes nothing", () => {
    expect(mergeText("x", "x call the bank", "x call").text).toBe("x call the bank");
    expect(mergeText("x", "x call", "x call the bank").text).toBe("x call the bank");
    expect(mergeText("x", "x recall", "x call").text).toBe("x recall call"); // a word inside another is not that word
    const merged = mergeText("Plan:", "Plan: call the bank at 5", "Plan: email the landlord about flat 5").text;
    expect(mergeText("Plan:", merged, "Plan: email the landlord about flat 5")).toEqual({ text: merged, conflict: false });
    expect(mergeText("Plan:", "Plan: email the landlord about flat 5", merged)).toEqual({ text: merged, conflict: false });
    // Lines stay lines: the loser's first line does not join the winner's last.
    const lines = mergeText("x\n", "x\ny", "x\n foo\nbar");
    expect(lines.text).toBe("x\ny\n foo\nbar");
    expect(mergeText("x\n", lines.text, "x\n foo\nbar").text).toBe(lines.text);
  });

  it("one side changes a word while the other writes right after it: both apply, and it is no conflict", () => {
    expect(mergeText("Todo: call", "Todo: calling", "Todo: call email")).toEqual({ text: "Todo: calling email", conflict: false });
    expect(mergeText("a b", "a bx", "a b c")).toEqual({ text: "a bx c", conflict: false });
    expect(mergeText("a b", "a b c", "a bx")).toEqual({ text: "a bx c", conflict: false });
    expect(mergeText("see you", "see you", "so see you")).toEqual({ text: "so see you", conflict: false });
    expect(mergeText("b c", "x c", "a b c")).toEqual({ text: "a x c", conflict: false });
  });
  it("words of a short insertion found inside the other's are still the short one's writing; a blank insertion stays", () => {
    expect(mergeText("I will come", "I will not come", "I will, if it is not raining, come").text).toBe("I will not , if it is not raining, come");
    expect(mergeText("Hello.", "Hello.\n\n", "Hello. Bye").text).toBe("Hello.\n\n Bye");
  });

  it("a change beside another's writing, merged again, stays as it was", () => {
    expect(mergeText("Todo: call", "Todo: calling email", "Todo: call email")).toEqual({ text: "Todo: calling email", conflict: false });
    expect(mergeText("Todo: call", "Todo: call email", "Todo: calling email")).toEqual({ text: "Todo: calling email", conflict: false });
    expect(mergeText("Todo: call", "Todo: calling email", "Todo: calling")).toEqual({ text: "Todo: calling email", conflict: false });
  });
});
