import { beforeEach, describe, expect, it } from "vitest";
import { DatabaseHost } from "./host";
import type { SqlStatement } from "../db/protocol";
import { openMemoryReplica } from "../../../testing/nodeReplica";

const run = (sql: string, params: SqlStatement["params"] = []): SqlStatement => ({ sql, params, method: "run" });
const all = (sql: string, params: SqlStatement["params"] = []): SqlStatement => ({ sql, params, method: "all" });

describe("DatabaseHost", () => {
  let host: DatabaseHost;
  beforeEach(async () => {
    host = new DatabaseHost(await openMemoryReplica());
  });

  it("reports the tables a write changed and the tables a read used", async () => {
    const write = await host.handle({ kind: "query", statement: run("INSERT INTO notes (id, title) VALUES ('n1', 'a')") });
    expect(write.changed).toEqual(["notes"]);
    const read = await host.handle({
      kind: "query",
      statement: all("SELECT n.title FROM notes n JOIN note_entities ne ON ne.note_id = n.id"),
    });
    expect(read.changed).toEqual([]);
    expect(((read.value as { tables: string[] }).tables).sort()).toEqual(["note_entities", "notes"]);
  });

  it("runs a batch in one transaction: one failing statement undoes the others", async () => {
    await expect(
      host.handle({
        kind: "batch",
        statements: [run("INSERT INTO notes (id) VALUES ('n1')"), run("INSERT INTO notes (id) VALUES ('n1')")],
      }),
    ).rejects.toThrow(/UNIQUE|constraint/i);
    const { value } = await host.handle({ kind: "query", statement: all("SELECT count(*) FROM notes") });
    expect((value as { rows: unknown[][] }).rows).toEqual([[0]]);
  });

  it("refuses transaction statements sent one by one, which other tabs' writes could interleave", async () => {
    await expect(host.handle({ kind: "query", statement: run("BEGIN") })).rejects.toThrow(/db\.batch/);
    await expect(host.handle({ kind: "query", statement: run("  savepoint x") })).rejects.toThrow(/db\.batch/);
  });

  it("keeps serving after a failed request", async () => {
    await expect(host.handle({ kind: "query", statement: all("SELECT * FROM no_such_table") })).rejects.toThrow(/no such table/);
    const { value } = await host.handle({ kind: "query", statement: all("SELECT 1") });
    expect((value as { rows: unknown[][] }).rows).toEqual([[1]]);
  });
});
