/**
 * Row ids. Ordinary rows get a UUIDv7 made on the device (time-ordered, so new rows append to
 * the primary-key b-tree). Rows that two offline devices must create as one, such as the entity
 * behind `#travel`, get an id derived from their content instead.
 */
import { v7 as uuidv7 } from "uuid";

export function newId(): string {
  return uuidv7();
}

export type EntityKind = "tag" | "person" | "link";

/** Case, width and spacing variants of a name are the same entity. */
export function normaliseEntityName(name: string): string {
  return name.normalize("NFKC").trim().replace(/\s+/g, " ").toLowerCase();
}

/** `e_` + the first 128 bits of SHA-256(kind, NUL, normalised name), hex. */
export async function entityId(kind: EntityKind, name: string): Promise<string> {
  const bytes = new TextEncoder().encode(`${kind}\u0000${normaliseEntityName(name)}`);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return "e_" + [...digest.subarray(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
