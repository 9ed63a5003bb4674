import { describe, expect, it } from "vitest";
import { extractMentions } from "./extract";

describe("extractMentions", () => {
  it("finds tags, people and links once each", () => {
    expect(extractMentions("Flight to #Travel with @anna and @Anna, see [[Packing list]] #travel #tokyo-2026")).toEqual([
      { kind: "link", name: "Packing list" },
      { kind: "tag", name: "Travel" },
      { kind: "tag", name: "tokyo-2026" },
      { kind: "person", name: "anna" },
    ]);
  });

  it("ignores e-mail addresses, URL fragments and tags inside links", () => {
    expect(extractMentions("mail bob@example.com, open https://x.org/#anchor, [[#notatag]]")).toEqual([{ kind: "link", name: "#notatag" }]);
  });
});
