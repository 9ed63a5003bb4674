/**
 * cr-sqlite's packed primary key format, read only to validate incoming changes:
 * byte 0 = column count; per column one byte (low 3 bits type: 1 INTEGER, 2 FLOAT, 3 TEXT,
 * 4 BLOB, 5 NULL; high 5 bits n = byte length of the integer or of the length field), then
 * the payload. Written by hand: no library reads this format outside cr-sqlite itself.
 */
export const PK_TYPE = { integer: 1, float: 2, text: 3, blob: 4, null: 5 } as const;

export interface PackedColumn {
  type: number;
  /** Payload bytes (text/blob content, integer bytes, float bytes). */
  bytes: Uint8Array;
}

export class PackedPkError extends Error {}

export function unpackPk(pk: Uint8Array): PackedColumn[] {
  if (pk.length === 0) throw new PackedPkError("empty primary key");
  const count = pk[0]!;
  const columns: PackedColumn[] = [];
  let at = 1;
  const need = (n: number) => {
    if (at + n > pk.length) throw new PackedPkError("primary key is truncated");
  };
  for (let i = 0; i < count; i++) {
    need(1);
    const header = pk[at++]!;
    const type = header & 0x07;
    const n = header >> 3;
    switch (type) {
      case PK_TYPE.integer:
        need(n);
        columns.push({ type, bytes: pk.subarray(at, at + n) });
        at += n;
        break;
      case PK_TYPE.float:
        need(8);
        columns.push({ type, bytes: pk.subarray(at, at + 8) });
        at += 8;
        break;
      case PK_TYPE.text:
      case PK_TYPE.blob: {
        need(n);
        let length = 0;
        for (let b = 0; b < n; b++) length = length * 256 + pk[at + b]!;
        at += n;
        need(length);
        columns.push({ type, bytes: pk.subarray(at, at + length) });
        at += length;
        break;
      }
      case PK_TYPE.null:
        columns.push({ type, bytes: new Uint8Array() });
        break;
      default:
        throw new PackedPkError(`unknown primary key column type ${type}`);
    }
  }
  if (at !== pk.length) throw new PackedPkError("trailing bytes after the primary key");
  return columns;
}
