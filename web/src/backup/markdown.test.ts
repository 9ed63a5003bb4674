import { describe, expect, it } from "vitest";
import { fileNameFor, fromMarkdown, toMarkdown } from "./markdown";

describe("Markdown notes", () => {
  it("round-trips every field, whatever the title holds", () => {
    const note = { id: "n1", title: 'Quotes " and: colons\nnewline', body: "---\nnot front matter\n#tag", pinned: 1, archived: 0, createdAt: 1_764_000_000_000, updatedAt: 1_764_000_123_000 };
    expect(fromMarkdown(toMarkdown(note), "x.md")).toEqual(note);
  });

  it("imports foreign Markdown with the file name as title", () => {
    expect(fromMarkdown("# Heading\ntext", "folder/My idea.md")).toEqual({ title: "My idea", body: "# Heading\ntext", pinned: 0, archived: 0 });
  });

  it("makes safe file names", () => {
    expect(fileNameFor("Trip: Tokyo/Kyoto?", "0192abcdef")).toBe("Trip-TokyoKyoto-abcdef.md");
    expect(fileNameFor("", "0192abcdef")).toBe("untitled-abcdef.md");
  });
});
