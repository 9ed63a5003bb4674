/** Every replicated text cell has a byte limit, checked when the device writes it (migration 4). */
import { describe, expect, it } from "vitest";
import { openMemoryReplica } from "../testing/nodeReplica";
import { MAX_FRAME_BYTES, MAX_SYNC_CELL_BYTES } from "./constants";
import { changeWireSize, CHANGES_FRAME_OVERHEAD_BYTES } from "./wireSize";

describe("replicated cell size limit", async () => {
  const db = await openMemoryReplica();
  const big = "x".repeat(MAX_SYNC_CELL_BYTES + 1);

  it("a cell at the limit fits in one frame with its key and names", () => {
    expect(CHANGES_FRAME_OVERHEAD_BYTES + changeWireSize("view_snapshots", new Uint8Array(64), "result", new Uint8Array(MAX_SYNC_CELL_BYTES))).toBeLessThan(MAX_FRAME_BYTES);
  });

  it("refuses an oversized insert or update and names the table and column", async () => {
    await expect(db.exec("INSERT INTO notes (id, body) VALUES ('n1', ?)", [big])).rejects.toThrow(/too large to sync: notes\.body/);
    await expect(db.exec("INSERT INTO view_snapshots (id, result) VALUES ('s1', ?)", [big])).rejects.toThrow(/view_snapshots\.result/);
    await db.exec("INSERT INTO views (id, name) VALUES ('v1', 'ok')");
    await expect(db.exec("UPDATE views SET filter = ? WHERE id = 'v1'", [big])).rejects.toThrow(/views\.filter is over 480 KiB/);
    // Counted in UTF-8 bytes: 170,000 euro signs are 510,000 bytes.
    await expect(db.exec("INSERT INTO notes (id, title) VALUES ('n2', ?)", ["€".repeat(170_000)])).rejects.toThrow(/notes\.title/);
    expect((await db.exec("SELECT count(*) FROM notes")).rows).toEqual([[0]]);
  });

  it("accepts a cell at the limit", async () => {
    await db.exec("INSERT INTO devices (id, name) VALUES ('d1', ?)", ["y".repeat(MAX_SYNC_CELL_BYTES)]);
    expect((await db.exec("SELECT length(name) FROM devices WHERE id = 'd1'")).rows).toEqual([[MAX_SYNC_CELL_BYTES]]);
  });

  it("does not refuse a merged change (it came through the server's frame limit)", async () => {
    const source = await openMemoryReplica();
    await source.exec("DROP TRIGGER notes_cell_size_insert"); // as an older version would have written it
    await source.exec("INSERT INTO notes (id, body) VALUES ('old', ?)", [big]);
    const { rows } = await source.exec('SELECT "table", pk, cid, val, col_version, db_version, site_id, cl, seq FROM crsql_changes');
    for (const row of rows) await db.exec('INSERT INTO crsql_changes ("table", pk, cid, val, col_version, db_version, site_id, cl, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', row as never);
    expect((await db.exec("SELECT length(body) FROM notes WHERE id = 'old'")).rows).toEqual([[big.length]]);
  });
});
