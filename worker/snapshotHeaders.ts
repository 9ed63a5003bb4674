/**
 * The headers of `PUT /api/snapshot`, checked in the Worker before the user's Durable Object
 * wakes: the two numbers that describe the opaque body, and a declared size over the limit
 * (refused without reading a byte; the Durable Object still counts what arrives).
 */
import { validator } from "hono/validator";
import { SNAPSHOT_SCHEMA_HEADER, SNAPSHOT_SEQ_HEADER, SNAPSHOT_SITE_HEADER, SNAPSHOT_UNTIL_HEADER } from "../shared/api";
import { SNAPSHOT_MAX_BYTES } from "../shared/constants";
import { SNAPSHOT_TOO_LARGE } from "./snapshotUpload";

/** A decimal integer, digits only (no sign, point or exponent), or undefined. */
function decimal(text: string | undefined): number | undefined {
  if (text === undefined || !/^[0-9]+$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** Validated as `{ "x-snapshot-seq": number, "x-snapshot-schema": number, "x-snapshot-site"?: string, "x-snapshot-until"?: number }` (the keys type the client's headers). */
export const snapshotHeaders = validator("header", (headers, c) => {
  const declared = headers["content-length"];
  if (declared !== undefined && Number(declared) > SNAPSHOT_MAX_BYTES) return c.json({ error: SNAPSHOT_TOO_LARGE }, 413);
  const seq = decimal(headers[SNAPSHOT_SEQ_HEADER]);
  if (seq === undefined) return c.json({ error: `send ${SNAPSHOT_SEQ_HEADER}: the log's sequence number the snapshot covers, a whole number (0 or more)` }, 400);
  const schemaVersion = decimal(headers[SNAPSHOT_SCHEMA_HEADER]);
  if (schemaVersion === undefined || schemaVersion < 1) {
    return c.json({ error: `send ${SNAPSHOT_SCHEMA_HEADER}: the database schema version the snapshot was made with, a whole number (1 or more)` }, 400);
  }
  if (coverageOf(headers, seq) === "invalid") {
    return c.json({ error: `send ${SNAPSHOT_SITE_HEADER} (the device's site id, 32 hex digits) and ${SNAPSHOT_UNTIL_HEADER} (the log's head it read, at least ${SNAPSHOT_SEQ_HEADER}) together, or neither` }, 400);
  }
  return { [SNAPSHOT_SEQ_HEADER]: seq, [SNAPSHOT_SCHEMA_HEADER]: schemaVersion };
});

/**
 * The optional pair of headers by which the server extends the covered seq over the maker's own
 * pushes (shared/api.ts), or undefined when neither is sent. Outside the validated (typed) headers
 * so the typed client need not send them.
 */
export function coverageOf(headers: Record<string, string | undefined>, seq: number): { site: string; until: number } | undefined | "invalid" {
  const site = headers[SNAPSHOT_SITE_HEADER];
  const untilText = headers[SNAPSHOT_UNTIL_HEADER];
  if (site === undefined && untilText === undefined) return undefined;
  const until = decimal(untilText);
  if (site === undefined || !/^[0-9a-f]{32}$/.test(site) || until === undefined || until < seq) return "invalid";
  return { site, until };
}
