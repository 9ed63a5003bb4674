import { describe, expect, it } from "vitest";
import { plainText, PLAIN_TEXT_INPUT_CHARS } from "./plainText";

describe("plainText", () => {
  it("drops CommonMark syntax and keeps the words", () => {
    expect(plainText("# Trip plan\n\n**Book** the _train_ and `check` [the site](https://example.com) ![map](m.png)")).toBe("Trip plan Book the train and check the site map");
  });

  it("drops list leaders, quotes, fences and raw HTML", () => {
    expect(plainText("- one\n* two\n1. three\n> quoted\n\n```js\nlet x = 1;\n```\n<b>bold</b>")).toBe("one two three quoted let x = 1; bold");
  });

  it("drops GFM task boxes, tables and strikethrough", () => {
    expect(plainText("- [ ] buy milk\n- [x] call Ann\n\n| a | b |\n|---|:--:|\n| 1 | 2 |\n~~gone~~")).toBe("buy milk call Ann a b 1 2 gone");
  });

  it("shows a [[link]] as the title it names and keeps #tags and @people", () => {
    expect(plainText("See [[Packing list]] #travel @ann")).toBe("See Packing list #travel @ann");
  });

  it("leaves plain text alone, arithmetic and snake_case included", () => {
    expect(plainText("2 * 3 * 4 is snake_case_word")).toBe("2 * 3 * 4 is snake_case_word");
  });

  it("reads only the start of a long body", () => {
    expect(plainText("word ".repeat(10_000)).length).toBeLessThanOrEqual(PLAIN_TEXT_INPUT_CHARS);
  });
});

describe("plainText of a search snippet", () => {
  it("keeps the highlight marks around the matched words", () => {
    expect(plainText("**\u0002bank\u0003** call the [\u0002bank\u0003](https://b.example)")).toBe("\u0002bank\u0003 call the \u0002bank\u0003");
  });
});
