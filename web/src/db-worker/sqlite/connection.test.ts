import { describe, expect, it } from "vitest";
import { toBindable } from "./connection";
import { openMemoryReplica } from "../../../../testing/nodeReplica";

describe("SqliteConnection", () => {
  it("binds integral numbers beyond int32 as INTEGER, not REAL", async () => {
    const db = await openMemoryReplica({ migrated: false });
    const { rows } = await db.exec("SELECT typeof(?), typeof(?), typeof(?), typeof(?)", [1_764_059_716_123, 7, 1.5, 2n ** 62n]);
    expect(rows).toEqual([["integer", "integer", "real", "integer"]]);
  });

  it("stores booleans as 0/1 and rejects values that cannot be stored exactly", () => {
    expect(toBindable(true)).toBe(1);
    expect(toBindable(false)).toBe(0);
    expect(() => toBindable(2 ** 60)).toThrow(/BigInt/);
    expect(() => toBindable({} as never)).toThrow(TypeError);
  });

  it("rejects a wrong number of parameters instead of reusing stale bindings", async () => {
    const db = await openMemoryReplica({ migrated: false });
    await expect(db.exec("SELECT ?, ?", [1])).rejects.toThrow(/expects 2 parameters, got 1/);
    expect((await db.exec("SELECT ?, ?", [1, 2])).rows).toEqual([[1, 2]]);
  });

  it("round-trips blobs as copies and large integers as BigInt", async () => {
    const db = await openMemoryReplica({ migrated: false });
    const blob = new Uint8Array([0, 1, 2, 255]);
    const { rows } = await db.exec("SELECT ?, ?", [blob, 2n ** 63n - 1n]);
    expect(rows[0]![0]).toEqual(blob);
    expect(rows[0]![1]).toBe(2n ** 63n - 1n);
  });

  it("rolls a failed transaction back and forgets its changed tables", async () => {
    const db = await openMemoryReplica();
    await expect(
      db.transaction(async () => {
        await db.exec("INSERT INTO notes (id) VALUES ('n1')");
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(db.inTransaction).toBe(false);
    expect(db.takeChangedTables()).toEqual([]);
    expect((await db.exec("SELECT count(*) FROM notes")).rows).toEqual([[0]]);
  });
});
