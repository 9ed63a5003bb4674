/**
 * Upper bounds of a change's size in ws-common's encoding, so both sides cut frames in time: the
 * device when it pushes its backlog (web/src/sync/syncDb.ts) and the server when it streams the
 * log (worker/relayBacklog.ts). One estimator, so the two agree about what fits under
 * OUTBOUND_FRAME_TARGET_BYTES, and through it under MAX_FRAME_BYTES, which the server enforces.
 *
 * ws-common writes a change as: table (varint length + UTF-8), pk (varint length + bytes),
 * column (varint length + UTF-8), the value (type byte + payload), col_version, db_version
 * (8 bytes each), site id (type byte + 16 bytes, or one null byte), cl (8 bytes), seq (varint).
 */

/**
 * Every byte of a change besides its table and column names, pk bytes and value: three length
 * prefixes (≤ 4 bytes each below 256 MiB), three 8-byte integers, a full site id (17) and seq
 * (≤ 5 bytes as a 32-bit varint) make 58; rounded up.
 */
export const CHANGE_WIRE_OVERHEAD_BYTES = 64;

/** A Changes frame's bytes besides its changes: tag, sender (16), since (8 + varint), count. */
export const CHANGES_FRAME_OVERHEAD_BYTES = 40;

/**
 * A cell value's encoded size at most, type byte included. Text counts 3 bytes a character: a
 * UTF-16 unit never takes more than 3 bytes of UTF-8.
 */
export function wireSizeOf(value: unknown): number {
  if (typeof value === "string") return 5 + value.length * 3;
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) return 5 + value.byteLength;
  return 9;
}

/**
 * A change's encoded size at most. Table and column names are schema identifiers (ASCII, one
 * byte a character): a device reads them from its own schema, and the server logs no change
 * before `invalidReason` (changeValidation.ts) has checked them against it.
 */
export function changeWireSize(table: string, pk: Uint8Array, cid: string, value: unknown): number {
  return CHANGE_WIRE_OVERHEAD_BYTES + table.length + pk.length + cid.length + wireSizeOf(value);
}
