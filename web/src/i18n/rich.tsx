import type { JSX } from "solid-js";

/**
 * A translated sentence with elements in its placeholders (a bold name, an emphasised menu item),
 * so each language keeps its own word order. Hand-written: the i18n library fills strings only.
 */
export function rich(template: string, parts: Record<string, JSX.Element>): JSX.Element[] {
  return template.split(/{{\s*(\w+)\s*}}/).map((piece, i) => (i % 2 === 1 ? (parts[piece] ?? `{{ ${piece} }}`) : piece));
}
