import { describe, expect, it } from "vitest";
import { hasChanges, textDiff, type DiffSegment } from "./revisionDiff";

const rebuild = (segments: DiffSegment[], side: "before" | "after") =>
  segments
    .filter((s) => s.kind === "same" || s.kind === (side === "before" ? "removed" : "added"))
    .map((s) => s.text)
    .join("");

describe("textDiff", () => {
  it("marks the words removed and added, keeping what is shared", () => {
    expect(textDiff("buy milk and eggs", "buy oat milk and bread")).toEqual([
      { kind: "same", text: "buy " },
      { kind: "added", text: "oat " },
      { kind: "same", text: "milk and " },
      { kind: "removed", text: "eggs" },
      { kind: "added", text: "bread" },
    ]);
  });

  it("rebuilds both texts exactly, newlines and spacing included", () => {
    const before = "Line one\n\n  indented  two\nthree\r\nfour";
    const after = "Line one\nindented two\nthree and more\r\nfour\n";
    const segments = textDiff(before, after);
    expect(rebuild(segments, "before")).toBe(before);
    expect(rebuild(segments, "after")).toBe(after);
    expect(hasChanges(segments)).toBe(true);
  });

  it("equal texts have no changes; an empty side is all added or all removed", () => {
    expect(hasChanges(textDiff("same text", "same text"))).toBe(false);
    expect(textDiff("", "new")).toEqual([{ kind: "added", text: "new" }]);
    expect(textDiff("old", "")).toEqual([{ kind: "removed", text: "old" }]);
    expect(textDiff("", "")).toEqual([]);
  });

  it("falls back to a line diff for large, very different texts, still rebuilding both", () => {
    const words = (seed: number) => Array.from({ length: 20_000 }, (_, i) => `w${(i * seed) % 9973}`).join(" ");
    const before = `${words(7)}\nshared line\n`;
    const after = `${words(13)}\nshared line\n`;
    const segments = textDiff(before, after);
    expect(rebuild(segments, "before")).toBe(before);
    expect(rebuild(segments, "after")).toBe(after);
    expect(segments.at(-1)).toEqual({ kind: "same", text: "shared line\n" });
  });
});
