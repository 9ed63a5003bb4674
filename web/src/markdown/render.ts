/**
 * A note's text as safe HTML: CommonMark + GFM by micromark (raw HTML in a note is shown as
 * text, never run), then DOMPurify over the result as a second wall. Links open in a new tab
 * with rel=noopener and only safe schemes; task boxes become clickable and know where they are in
 * the text; #tags, @people and [[links]] become links to their pages.
 */
import DOMPurify from "dompurify";
import { compile, parse, postprocess, preprocess } from "micromark";
import { gfm, gfmHtml } from "micromark-extension-gfm";
import { LINK, PERSON, TAG } from "../entities/extract";
import { linkPath, mentionPath as tagPath } from "../ui/navigation";
import { taskBoxes, type TaskBox } from "./tasks";

/** Links a note may hold: the web, mail, and paths inside this app. Anything else loses its href. */
const SAFE_URL = /^(?:https?:|mailto:|\/(?!\/)|#)/i;
/** Where mentions are left as written: inside links and code. */
const NO_MENTIONS = "a, code, pre";

export interface RenderedMarkdown {
  fragment: DocumentFragment;
  /** The task boxes in document order; checkbox `data-task="i"` is `tasks[i]`. */
  tasks: TaskBox[];
}


export function renderMarkdown(text: string): RenderedMarkdown {
  const events = postprocess(parse({ extensions: [gfm()] }).document().write(preprocess()(text, undefined, true)));
  const html = compile({ htmlExtensions: [gfmHtml()] })(events);
  const fragment = DOMPurify.sanitize(html, {
    RETURN_DOM_FRAGMENT: true,
    FORBID_TAGS: ["style", "form", "button", "textarea", "select", "iframe", "object", "embed"],
    FORBID_ATTR: ["style", "id", "name"],
  });
  const tasks = taskBoxes(events);
  const boxes = [...fragment.querySelectorAll<HTMLInputElement>("input")];
  boxes.forEach((box, i) => {
    // Only a task box the parser saw becomes live; anything else stays inert.
    if (box.type !== "checkbox" || boxes.length !== tasks.length) return;
    box.removeAttribute("disabled");
    box.dataset.task = String(i);
    box.setAttribute("aria-label", (box.parentElement?.textContent ?? "").trim().slice(0, 100) || "Task");
  });
  // DOMPurify already drops script URLs; links are narrowed further to SAFE_URL.
  for (const a of fragment.querySelectorAll("a")) {
    const href = a.getAttribute("href") ?? "";
    if (!SAFE_URL.test(href)) a.removeAttribute("href");
    else if (!href.startsWith("/") && !href.startsWith("#")) {
      a.target = "_blank";
      a.rel = "noopener noreferrer";
    }
  }
  linkMentions(fragment);
  return { fragment, tasks };
}

interface Span {
  start: number;
  end: number;
  label: string;
  href: string;
  kind: "tag" | "person" | "wikilink";
}

/** The mentions in one run of text, with the same patterns that make entities (extract.ts). */
function mentionSpans(text: string): Span[] {
  const spans: Span[] = [];
  for (const m of text.matchAll(LINK)) spans.push({ start: m.index, end: m.index + m[0].length, label: m[1]!, href: linkPath(m[1]!), kind: "wikilink" });
  const withoutLinks = text.replace(LINK, (s) => " ".repeat(s.length));
  for (const m of withoutLinks.matchAll(TAG)) spans.push({ start: m.index, end: m.index + m[0].length, label: m[0], href: tagPath("tag", m[1]!), kind: "tag" });
  for (const m of withoutLinks.matchAll(PERSON)) spans.push({ start: m.index, end: m.index + m[0].length, label: m[0], href: tagPath("person", m[1]!), kind: "person" });
  spans.sort((a, b) => a.start - b.start);
  return spans.filter((s, i) => i === 0 || s.start >= spans[i - 1]!.end);
}

function linkMentions(root: DocumentFragment): void {
  const doc = root.ownerDocument;
  const walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const texts: Text[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) if (!n.parentElement?.closest(NO_MENTIONS)) texts.push(n as Text);
  for (const node of texts) {
    const value = node.data;
    const spans = mentionSpans(value);
    if (spans.length === 0) continue;
    const parts: Node[] = [];
    let at = 0;
    for (const s of spans) {
      if (s.start > at) parts.push(doc.createTextNode(value.slice(at, s.start)));
      const a = doc.createElement("a");
      a.setAttribute("href", s.href);
      a.className = `mention mention-${s.kind}`;
      a.textContent = s.label;
      parts.push(a);
      at = s.end;
    }
    if (at < value.length) parts.push(doc.createTextNode(value.slice(at)));
    node.replaceWith(...parts);
  }
}
