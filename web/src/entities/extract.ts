/**
 * Finds the entities a note mentions: `#tags`, `@people` and `[[note links]]`. Pure and
 * synchronous; ids are derived later (shared/ids.ts) so offline devices agree.
 */
import { normaliseEntityName, type EntityKind } from "../../../shared/ids";

export interface Mention {
  kind: EntityKind;
  /** As first written (for display). */
  name: string;
}

// A tag or person: letters, digits, _ - / after the sigil, not preceded by a word character
// (so e-mail addresses and URLs with # are not tags).
export const TAG = /(?<![\p{L}\p{N}_&/])#([\p{L}\p{N}_][\p{L}\p{N}_\-/]*)/gu;
export const PERSON = /(?<![\p{L}\p{N}_.])@([\p{L}\p{N}_][\p{L}\p{N}_\-.]*[\p{L}\p{N}_]|[\p{L}\p{N}_])/gu;
export const LINK = /\[\[([^[\]\n]{1,200})\]\]/g;

export function extractMentions(text: string): Mention[] {
  const found = new Map<string, Mention>();
  const add = (kind: EntityKind, name: string) => {
    const clean = name.trim();
    if (!clean) return;
    const key = `${kind}:${normaliseEntityName(clean)}`;
    if (!found.has(key)) found.set(key, { kind, name: clean });
  };
  for (const m of text.matchAll(LINK)) add("link", m[1]!);
  const withoutLinks = text.replace(LINK, " ");
  for (const m of withoutLinks.matchAll(TAG)) add("tag", m[1]!);
  for (const m of withoutLinks.matchAll(PERSON)) add("person", m[1]!);
  return [...found.values()];
}
