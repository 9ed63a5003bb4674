/**
 * Row ids. Ordinary rows get a UUIDv7 made on the device (time-ordered, so new rows append to
 * the primary-key b-tree). Rows that two offline devices must create as one, such as the entity
 * behind `#travel`, get an id derived from their content instead: keyed (HMAC with the account's
 * id key, issue 14), so the server, which sees row ids, cannot find a tag's name with a
 * dictionary, while every device of the account, holding the same key, still derives one id.
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { v7 as uuidv7 } from "uuid";
import { entityIdKey } from "./entityIdKey";

export { entityIdKey, setEntityIdKeySource } from "./entityIdKey";

export function newId(): string {
  return uuidv7();
}

export type EntityKind = "tag" | "person" | "link";

/** Case, width and spacing variants of a name are the same entity. */
export function normaliseEntityName(name: string): string {
  return name.normalize("NFKC").trim().replace(/\s+/g, " ").toLowerCase();
}

/** `e_` + the first 128 bits of HMAC-SHA256(idKey, kind NUL normalised name), hex. */
export function entityIdWith(idKey: Uint8Array, kind: EntityKind, name: string): string {
  const digest = hmac(sha256, idKey, new TextEncoder().encode(`${kind}\u0000${normaliseEntityName(name)}`));
  return "e_" + [...digest.subarray(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The entity's id under the current id key. */
export async function entityId(kind: EntityKind, name: string): Promise<string> {
  return entityIdWith(await entityIdKey(), kind, name);
}
