/**
 * Local changes too large for any frame (written by an older version, or a bug): they are held
 * aside in the local `sync_held` table instead of closing every socket with 1009 forever, so
 * everything else keeps syncing, and the status names them (DESIGN §9). A held change is let go
 * once its cell is written again (a shorter value syncs as usual) or its row is deleted.
 */
import type { Change } from "@vlcn.io/ws-common";
import { MAX_FRAME_BYTES } from "../../../shared/constants";
import { PK_TYPE, unpackPk } from "../../../shared/packedPk";
import type { HeldChange } from "../../../shared/syncStatus";
import { CHANGES_FRAME_OVERHEAD_BYTES, changeWireSize } from "../../../shared/wireSize";
import type { SqliteConnection } from "../db-worker/sqlite/connection";

/** The most one change may take on the wire: alone in a frame, with the frame's own bytes. */
export const MAX_CHANGE_WIRE_BYTES = MAX_FRAME_BYTES - CHANGES_FRAME_OVERHEAD_BYTES;

const utf8 = new TextEncoder();

/**
 * The change's exact size on the wire when no frame can carry it; undefined when one can.
 * `extra`: bytes its value grows by before it leaves (an encryption envelope).
 */
export function oversizeOf(change: Change, extra = 0): number | undefined {
  const [table, pk, cid, value] = change;
  if (changeWireSize(table, pk, cid, value) + extra <= MAX_CHANGE_WIRE_BYTES) return undefined; // the estimate is an upper bound
  const valueBytes = typeof value === "string" ? utf8.encode(value).length : value instanceof Uint8Array ? value.byteLength : 8;
  const exact = changeWireSize(table, pk, cid, new Uint8Array(valueBytes)) + extra;
  return exact > MAX_CHANGE_WIRE_BYTES ? exact : undefined;
}

export async function recordHeld(db: SqliteConnection, held: readonly { change: Change; bytes: number }[]): Promise<void> {
  const now = Date.now();
  for (const { change, bytes } of held) {
    await db.exec("INSERT OR IGNORE INTO sync_held (tbl, pk, cid, db_version, bytes, held_at) VALUES (?, ?, ?, ?, ?, ?)", [
      change[0],
      change[1],
      change[2],
      change[5],
      bytes,
      now,
    ]);
  }
}

/** Lets go of changes whose cell was written again or whose row is gone. */
const RELEASE_RESOLVED = `DELETE FROM sync_held WHERE NOT EXISTS (
  SELECT 1 FROM crsql_changes AS c WHERE c."table" = sync_held.tbl AND c.pk = sync_held.pk AND c.cid = sync_held.cid
    AND c.db_version = sync_held.db_version)`;

/** The changes still held, with what the person needs to find them (a note's title). */
export async function readHeld(db: SqliteConnection): Promise<HeldChange[]> {
  const { rows: any } = await db.exec("SELECT count(*) FROM sync_held");
  if (Number(any[0]![0]) === 0) return [];
  await db.exec(RELEASE_RESOLVED);
  const { rows } = await db.exec("SELECT tbl, pk, cid, max(bytes) FROM sync_held GROUP BY tbl, pk, cid ORDER BY min(held_at)");
  const held: HeldChange[] = [];
  for (const [table, pk, column, bytes] of rows) {
    const id = firstKey(pk as Uint8Array);
    const title = table === "notes" ? ((await db.exec("SELECT title FROM notes WHERE id = ?", [id])).rows[0]?.[0] as string | undefined) : undefined;
    held.push({ table: String(table), id, column: String(column), bytes: Number(bytes), ...(title !== undefined ? { title } : {}) });
  }
  return held;
}

function firstKey(pk: Uint8Array): string {
  try {
    const [first] = unpackPk(pk);
    if (first?.type === PK_TYPE.text) return new TextDecoder().decode(first.bytes);
    return first ? Array.from(first.bytes, (b) => b.toString(16).padStart(2, "0")).join("") : "";
  } catch {
    return "";
  }
}
