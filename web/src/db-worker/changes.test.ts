/**
 * A received frame whose merge fails (a value the table refuses, a full disk) is refused whole,
 * and must leave this device writing as before: cr-sqlite leaves its sync bit set when a merge's
 * write fails, and a local write made under it gets no clock and never syncs.
 */
import { describe, expect, it } from "vitest";
import type { Change } from "@vlcn.io/ws-common";
import { openMemoryReplica } from "../../../testing/nodeReplica";
import { applyChanges, pullChanges, siteIdOf } from "./changes";
import { BULK_MERGE_MIN_CHANGES } from "./bulkMerge";

describe("a refused merge", () => {
  for (const [path, notes] of [["per-cell", 3], ["bulk", Math.ceil(BULK_MERGE_MIN_CHANGES / 7) + 1]] as const) {
    it(`(${path} path) changes nothing, and the next local edit is clocked and syncs`, async () => {
      const a = await openMemoryReplica();
      for (let i = 0; i < notes; i++) await a.exec("INSERT INTO notes (id, title) VALUES (?, ?)", [`n${i}`, `title ${i}`]);
      const broken = (await pullChanges(a, 0n)).map((c): Change => (c[2] === "pinned" ? [c[0], c[1], c[2], null, c[4], c[5], c[6], c[7], c[8]] : c));
      const b = await openMemoryReplica();
      await expect(applyChanges(b, await siteIdOf(a), broken)).rejects.toThrow(/constraint failed/);
      expect((await b.exec("SELECT count(*) FROM notes")).rows[0]![0]).toBe(0);
      await b.exec("INSERT INTO notes (id, title) VALUES ('written-after', 'kept')");
      const clocked = await pullChanges(b, 0n);
      expect(clocked.filter((c) => c[2] === "title").map((c) => c[3])).toEqual(["kept"]);
    });
  }

  it("a frame that fills the disk is refused as a full disk, whole, and writing works once there is room", async () => {
    const a = await openMemoryReplica();
    await a.transaction(async () => {
      for (let i = 0; i < 400; i++) await a.exec("INSERT INTO notes (id, title, body) VALUES (?, ?, ?)", [`n${i}`, `title ${i}`, `body ${i} `.repeat(50)]);
    });
    const changes = await pullChanges(a, 0n);
    const b = await openMemoryReplica();
    const pages = Number((await b.exec("PRAGMA page_count")).rows[0]![0]);
    await b.exec(`PRAGMA max_page_count = ${pages + 20}`); // room for far less than 400 notes
    await expect(applyChanges(b, await siteIdOf(a), changes)).rejects.toThrow(/full/);
    expect((await b.exec("SELECT count(*) FROM notes")).rows[0]![0]).toBe(0);
    expect((await b.exec("SELECT crsql_internal_sync_bit()")).rows[0]![0]).toBe(0);
    await b.exec("PRAGMA max_page_count = 1000000");
    await b.exec("INSERT INTO notes (id, title) VALUES ('written-after', 'kept')");
    expect((await pullChanges(b, 0n)).filter((c) => c[2] === "title").map((c) => c[3])).toEqual(["kept"]);
    await applyChanges(b, await siteIdOf(a), changes);
    expect((await b.exec("SELECT count(*) FROM notes")).rows[0]![0]).toBe(401);
  });
});
