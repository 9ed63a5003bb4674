/**
 * The catalogue stays the single source of the UI's words: no English text is written into the
 * components' JSX (text between tags, a literal in a child expression, or an attribute people
 * read or hear: aria-label, placeholder, title, alt, label).
 */
import { parse } from "@babel/parser";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const UI = join(import.meta.dirname);
const FILES = [...readdirSync(UI).filter((f) => f.endsWith(".tsx")).map((f) => join(UI, f)), join(UI, "../markdown/MarkdownView.tsx")];
/** Words that are the same in every language. */
const ALLOWED = new Set(["CoBrain", "ABCD-EFGH"]);
const READ_ATTRIBUTES = new Set(["aria-label", "placeholder", "title", "alt", "label"]);
const hasWords = (text: string) => /\p{L}{2,}/u.test(text) && !ALLOWED.has(text.trim());

type Node = { type: string; [key: string]: unknown };
const isNode = (v: unknown): v is Node => typeof v === "object" && v !== null && typeof (v as Node).type === "string";

/** Literal texts a component shows: JSX text, literals as children, and readable attributes. */
export function literalTexts(source: string): string[] {
  const found: string[] = [];
  const literalsOf = (e: unknown): string[] => {
    if (!isNode(e)) return [];
    if (e.type === "StringLiteral") return [e.value as string];
    if (e.type === "TemplateLiteral") return (e.quasis as Array<{ value: { cooked: string } }>).map((q) => q.value.cooked);
    if (e.type === "ConditionalExpression") return [...literalsOf(e.consequent), ...literalsOf(e.alternate)];
    if (e.type === "LogicalExpression") return literalsOf(e.right);
    return [];
  };
  const visit = (node: unknown, parent?: Node) => {
    if (Array.isArray(node)) return node.forEach((n) => visit(n, parent));
    if (!isNode(node)) return;
    if (node.type === "JSXText") found.push(node.value as string);
    if (node.type === "JSXExpressionContainer" && (parent?.type === "JSXElement" || parent?.type === "JSXFragment")) found.push(...literalsOf(node.expression));
    if (node.type === "JSXAttribute" && READ_ATTRIBUTES.has((node.name as Node).name as string)) {
      const value = node.value as Node | null;
      found.push(...(value?.type === "JSXExpressionContainer" ? literalsOf(value.expression) : literalsOf(value)));
    }
    for (const [key, child] of Object.entries(node)) if (key !== "loc" && key !== "start" && key !== "end") visit(child, node);
  };
  visit(parse(source, { sourceType: "module", plugins: ["jsx", "typescript"] }).program);
  return found.filter(hasWords).map((s) => s.trim().replace(/\s+/g, " "));
}

describe("UI words come from the catalogue", () => {
  it("finds words written into JSX (so the check below can fail)", () => {
    const sample = `const A = () => <p title="Hint" aria-label={"Label"}>Hello world {x ? "Yes" : "No"} {y && \`Sure \${z}\`} ✕ → {"·"}<b class="ghost">CoBrain</b></p>;`;
    expect(literalTexts(sample)).toEqual(["Hint", "Label", "Hello world", "Yes", "No", "Sure"]);
  });

  it.each(FILES.map((f) => [relative(join(UI, ".."), f), f]))("%s has no English text outside the catalogue", (_name, file) => {
    expect(literalTexts(readFileSync(file, "utf8"))).toEqual([]);
  });
});
