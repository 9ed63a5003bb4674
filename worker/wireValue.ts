/**
 * Cell values kept bit-for-bit with their ws-common wire type: the sync server never converts
 * a value (an integer turned into a float would change how devices break ties).
 * BIGINT and NUMBER are stored as their 8 big-endian wire bytes, STRING as text, BLOB as bytes.
 */
export const WireType = { null: 0, bigint: 1, number: 2, string: 3, blob: 5 } as const;

export type StoredValue = { type: number; value: string | ArrayBuffer | null };

export function toStored(value: unknown): StoredValue {
  if (value === null || value === undefined) return { type: WireType.null, value: null };
  if (typeof value === "string") return { type: WireType.string, value };
  if (value instanceof Uint8Array) return { type: WireType.blob, value: value.slice().buffer };
  const bytes = new DataView(new ArrayBuffer(8));
  if (typeof value === "bigint") {
    bytes.setBigInt64(0, value);
    return { type: WireType.bigint, value: bytes.buffer };
  }
  if (typeof value === "number") {
    bytes.setFloat64(0, value);
    return { type: WireType.number, value: bytes.buffer };
  }
  throw new TypeError(`no wire type for ${typeof value}`);
}

export function fromStored(type: number, value: unknown): null | bigint | number | string | Uint8Array {
  switch (type) {
    case WireType.null:
      return null;
    case WireType.string:
      return String(value);
    case WireType.blob:
      return new Uint8Array(value as ArrayBuffer);
    case WireType.bigint:
      return new DataView(value as ArrayBuffer).getBigInt64(0);
    case WireType.number:
      return new DataView(value as ArrayBuffer).getFloat64(0);
    default:
      throw new TypeError(`unknown stored wire type ${type}`);
  }
}
