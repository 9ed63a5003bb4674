import { describe, expect, it } from "vitest";
import { MAX_SYNC_CELL_BYTES } from "../../../shared/constants";
import { checkBackupTables } from "./restoreCheck";

const note = { id: "n1", title: "t", body: "b", pinned: 0, archived: 0, trashed_at: null, created_at: 1_700_000_000_000, updated_at: 1_700_000_000_000 };

describe("backup restore check", () => {
  it("accepts rows as the app exports them (millisecond times as plain JSON numbers)", () => {
    expect(() => checkBackupTables({ notes: [note], views: [] })).not.toThrow();
  });

  it("refuses a value of the wrong type, naming the table, row and column", () => {
    expect(() => checkBackupTables({ notes: [note, { ...note, id: "n2", pinned: "yes" }] })).toThrow(/notes row 2: notes\.pinned is INTEGER but got string/);
    expect(() => checkBackupTables({ notes: [{ ...note, created_at: 1.5 }] })).toThrow(/notes\.created_at/);
    expect(() => checkBackupTables({ notes: [{ ...note, id: null }] })).toThrow(/notes\.id is NOT NULL/);
  });

  it("refuses a text over the replicated cell limit", () => {
    const result = "€".repeat(MAX_SYNC_CELL_BYTES / 3 + 1);
    expect(() => checkBackupTables({ view_snapshots: [{ id: "s", view_id: "v", taken_at: 1, result }] })).toThrow(/view_snapshots\.result is too large to sync/);
  });

  it("refuses unknown tables and says how many more problems there are", () => {
    expect(() => checkBackupTables({ secrets: [] })).toThrow(/unknown table "secrets"/);
    const bad = Array.from({ length: 5 }, (_, i) => ({ ...note, id: `n${i}`, archived: "no" }));
    expect(() => checkBackupTables({ notes: bad })).toThrow(/and 2 more/);
  });
});
