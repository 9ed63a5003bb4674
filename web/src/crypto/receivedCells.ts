/**
 * What a device does with changes the server sends, before applying them (issue 14): opens each
 * envelope and checks what it holds. The server cannot check value types any more (it sees
 * ciphertext), so the device checks them here with the server's former rules
 * (shared/changeValidation.ts). A change that does not decrypt, has a malformed or wrongly typed
 * value, or was written with a key generation this device lacks is held aside in the local
 * `sync_refused` table with the reason, and never applied; every other change of the batch is.
 */
import type { Change } from "@vlcn.io/ws-common";
import { invalidCellReason, SENTINEL_CID } from "../../../shared/changeValidation";
import type { SqliteConnection } from "../db-worker/sqlite/connection";
import { CellRefusal, type CellCipher } from "./cellCipher";

export interface RefusedChange {
  change: Change;
  reason: string;
}

/** Why an opened value cannot be applied to its cell, or undefined. */
function typeProblem([table, , cid, value]: Change): string | undefined {
  if (cid === SENTINEL_CID) return value === null ? undefined : "a row sentinel carries no value";
  return invalidCellReason(table, cid, value);
}

/** Splits received changes into the opened ones to apply and the refused ones, with reasons. */
export function openReceived(cipher: CellCipher, changes: readonly Change[]): { open: Change[]; refused: RefusedChange[] } {
  const open: Change[] = [];
  const refused: RefusedChange[] = [];
  for (const change of changes) {
    try {
      const opened = cipher.open(change);
      const problem = typeProblem(opened);
      if (problem) refused.push({ change, reason: `wrong value after decryption: ${problem}` });
      else open.push(opened);
    } catch (error) {
      if (!(error instanceof CellRefusal)) throw error;
      refused.push({ change, reason: error.message });
    }
  }
  return { open, refused };
}

/** Keeps refused changes aside on this device (as received), with why. */
export async function recordRefused(db: SqliteConnection, refused: readonly RefusedChange[], now = Date.now()): Promise<void> {
  for (const { change, reason } of refused) {
    const [table, pk, cid, val, colVersion, , , cl] = change;
    await db.exec(
      `INSERT INTO sync_refused (tbl, pk, cid, col_version, cl, val, reason, refused_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (tbl, pk, cid, col_version, cl) DO UPDATE SET val = excluded.val, reason = excluded.reason, refused_at = excluded.refused_at`,
      [table, pk, cid, colVersion, cl, val instanceof Uint8Array ? val : null, reason, now],
    );
  }
}

/** A refused change in words for the sync activity. */
export function describeRefused({ change, reason }: RefusedChange): string {
  const [table, pk, cid] = change;
  return `refused a change from the server to ${table} ${rowName(pk)}${cid === SENTINEL_CID ? " (the row itself)" : ` (${cid})`}: ${reason}; it was not applied, everything else was`;
}

function rowName(pk: Uint8Array): string {
  // The first key column when it is short readable text (ids are UUIDs or e_… ids), else its size.
  const text = new TextDecoder().decode(pk.subarray(3));
  return /^[\w-]{1,64}$/.test(text) ? text : `(${pk.length}-byte key)`;
}
