import type { Change } from "@vlcn.io/ws-common";
import { describe, expect, it } from "vitest";
import { pullChanges } from "../web/src/db-worker/changes";
import { openMemoryReplica } from "../testing/nodeReplica";
import { invalidReason } from "./changeValidation";

async function realChanges(): Promise<Change[]> {
  const db = await openMemoryReplica();
  await db.exec("INSERT INTO notes (id, title, updated_at) VALUES ('n1', 'hello', ?)", [1_764_059_716_123]);
  await db.exec("INSERT INTO note_entities (note_id, entity_id) VALUES ('n1', 'e_1')");
  await db.exec("INSERT INTO reminders (id, note_id) VALUES ('r1', 'n1')");
  await db.exec("DELETE FROM reminders WHERE id = 'r1'");
  return pullChanges(db, 0n);
}

const titleChange = async () => (await realChanges()).find((c) => c[0] === "notes" && c[2] === "title")!;
const withField = (change: Change, index: number, value: unknown) => change.map((v, i) => (i === index ? value : v)) as unknown as Change;

describe("change validation", () => {
  it("accepts every change real cr-sqlite produces for the schema (inserts, link rows, deletes)", async () => {
    const changes = await realChanges();
    expect(changes.length).toBeGreaterThan(5);
    expect(changes.map((c) => invalidReason(c)).filter(Boolean)).toEqual([]);
  });

  it.each([
    [0, "no_such_table", /unknown table "no_such_table"/],
    [0, "notes; DROP TABLE log", /unknown table/],
    [2, "titel", /unknown column "titel"/],
    [3, true, /BOOL/],
    [3, 42n, /TEXT but got bigint/],
    [3, null, /NOT NULL/],
    [1, new Uint8Array([1, 9, 1]), /primary key column 1 should be text/],
    [1, new Uint8Array([2, 0x0b, 1, 97, 0x0b]), /primary key has 2 columns|truncated/],
    [1, new Uint8Array([1, 0x0b, 200, 97]), /truncated/],
    [4, -1n, /col_version/],
    [7, 0n, /causal length/],
  ])("refuses field %i = %s", async (index, value, reason) => {
    expect(invalidReason(withField(await titleChange(), index, value))).toMatch(reason);
  });

  it("refuses integers that devices would bind as REAL, accepts exact ones", async () => {
    const updated = (await realChanges()).find((c) => c[0] === "notes" && c[2] === "updated_at")!;
    expect(invalidReason(updated)).toBeUndefined();
    expect(invalidReason(withField(updated, 3, 1_764_059_716_123))).toMatch(/as BIGINT/);
    expect(invalidReason(withField(updated, 3, 1.5))).toMatch(/as BIGINT/);
    expect(invalidReason(withField(updated, 3, 7))).toBeUndefined();
  });
});
