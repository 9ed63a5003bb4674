// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { renderMarkdown } from "./render";
import { toggleTask } from "./tasks";

const html = (text: string) => {
  const div = document.createElement("div");
  div.append(renderMarkdown(text).fragment);
  return div;
};

describe("renderMarkdown", () => {
  it("renders CommonMark and GFM: headings, emphasis, lists, tables, quotes, code, task lists", () => {
    const div = html("# Title\n\n*em* **strong** ~~gone~~\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n> quoted\n\n```\ncode\n```\n\n- [ ] todo\n- [x] done\n");
    expect(div.querySelector("h1")?.textContent).toBe("Title");
    expect(div.querySelector("em")?.textContent).toBe("em");
    expect(div.querySelector("strong")?.textContent).toBe("strong");
    expect(div.querySelector("del")?.textContent).toBe("gone");
    expect(div.querySelectorAll("table td")).toHaveLength(2);
    expect(div.querySelector("blockquote")?.textContent?.trim()).toBe("quoted");
    expect(div.querySelector("pre code")?.textContent).toBe("code\n");
    const boxes = [...div.querySelectorAll<HTMLInputElement>("input[type=checkbox]")];
    expect(boxes.map((b) => [b.checked, b.disabled, b.dataset.task])).toEqual([[false, false, "0"], [true, false, "1"]]);
  });

  it("never keeps raw HTML, event handlers or script links from a note", () => {
    const div = html('<script>alert(1)</script>\n\n<img src=x onerror="alert(1)">\n\n[click](javascript:alert(1)) [data](data:text/html,hi) <a href="javascript:x">raw</a>\n\n[ok](https://example.com)');
    expect(div.querySelector("script, img, [onerror]")).toBeNull();
    expect(div.innerHTML).not.toMatch(/<script|<img/i);
    const attributes = [...div.querySelectorAll("*")].flatMap((e) => [...e.attributes].map((a) => `${a.name}=${a.value}`));
    expect(attributes.filter((a) => /^on|javascript:|data:/i.test(a))).toEqual([]);
    // The raw HTML is shown as text, not dropped: nothing the person wrote is lost.
    expect(div.textContent).toContain("<script>alert(1)</script>");
    const links = [...div.querySelectorAll("a")];
    expect(links.filter((a) => a.hasAttribute("href")).map((a) => a.getAttribute("href"))).toEqual(["https://example.com"]);
    const ok = links.find((a) => a.getAttribute("href") === "https://example.com")!;
    expect(ok.rel).toBe("noopener noreferrer");
    expect(ok.target).toBe("_blank");
  });

  it("links #tags, @people and [[note links]] to their pages, but not inside code or links", () => {
    const div = html("See [[Packing list]] with @anna #travel, mail anna@example.com\n\n`#notatag` [#x](https://example.com)");
    const mentions = [...div.querySelectorAll("a.mention")].map((a) => [a.className, a.textContent, a.getAttribute("href")]);
    expect(mentions).toEqual([
      ["mention mention-wikilink", "Packing list", "/link/Packing%20list"],
      ["mention mention-person", "@anna", "/person/anna"],
      ["mention mention-tag", "#travel", "/tag/travel"],
    ]);
    expect(div.querySelector("code")?.textContent).toBe("#notatag");
  });
});

describe("task boxes", () => {
  it("ticking a box edits exactly its line, even when two items read the same", () => {
    const text = "- [ ] milk\n- [ ] milk\n> - [x] quoted\n";
    const { tasks } = renderMarkdown(text);
    expect(tasks).toHaveLength(3);
    expect(toggleTask(text, tasks[1]!)).toBe("- [ ] milk\n- [x] milk\n> - [x] quoted\n");
    expect(toggleTask(text, tasks[0]!)).toBe("- [x] milk\n- [ ] milk\n> - [x] quoted\n");
    expect(toggleTask(text, tasks[2]!)).toBe("- [ ] milk\n- [ ] milk\n> - [ ] quoted\n");
  });

  it("finds the right box after CRLF line ends, tabs and text before the list", () => {
    const text = "Intro\r\n\r\n1. [X] first\r\n2.\t[ ] second\r\n";
    const { tasks } = renderMarkdown(text);
    expect(tasks.map((t) => t.checked)).toEqual([true, false]);
    expect(toggleTask(text, tasks[1]!)).toBe("Intro\r\n\r\n1. [X] first\r\n2.\t[x] second\r\n");
    expect(toggleTask(text, tasks[0]!)).toBe("Intro\r\n\r\n1. [ ] first\r\n2.\t[ ] second\r\n");
  });

  it("refuses to tick when the text moved under the box", () => {
    const { tasks } = renderMarkdown("- [ ] a\n");
    expect(() => toggleTask("xx- [ ] a\n", tasks[0]!)).toThrow(/changed/);
  });
});
