import { describe, expect, it } from "vitest";
import { openMemoryReplica } from "../../../testing/nodeReplica";
import { serialised } from "../../../testing/replicaTools";
import { SyncDb } from "./syncDb";

const SERVER = new Uint8Array(16).fill(9);

describe("SyncDb", () => {
  it("hands out a huge transaction in bounded chunks and never skips one whose send failed", async () => {
    const db = await openMemoryReplica();
    const body = "x".repeat(2_000);
    await db.transaction(async () => {
      for (let i = 0; i < 1_000; i++) await db.exec("INSERT INTO notes (id, body) VALUES (?, ?)", [`n${String(i).padStart(4, "0")}`, body]);
    });
    const syncDb = await SyncDb.open(serialised(db));
    let outcome: "sent" | "reconnecting" = "sent";
    const transport = syncDb.watchSends({ sendChanges: (_msg: never) => outcome });

    const first = await syncDb.pullChangeset([0n, 0], [SERVER]);
    transport.sendChanges(undefined as never);
    const version = first.at(-1)![5];
    const second = await syncDb.pullChangeset([version, 0], [SERVER]); // the stock stream's cursor after a send
    expect(second[0]![8]).toBe(first.at(-1)![8] + 1); // resumes inside the transaction
    outcome = "reconnecting";
    transport.sendChanges(undefined as never); // this one fails: the stream rewinds and asks again
    const again = await syncDb.pullChangeset([version, 0], [SERVER]);
    expect(again.map((c) => c[8])).toEqual(second.map((c) => c[8]));
    outcome = "sent";

    const seen = new Set<string>();
    let since: [bigint, number] = [0n, 0];
    for (let chunk = await syncDb.pullChangeset(since, [SERVER]); chunk.length > 0; chunk = await syncDb.pullChangeset(since, [SERVER])) {
      expect(chunk.reduce((n, c) => n + String(c[3] ?? "").length, 0)).toBeLessThan(512 * 1024);
      for (const c of chunk) seen.add(`${c[5]}:${c[8]}`);
      transport.sendChanges(undefined as never);
      since = [chunk.at(-1)![5], 0]; // what the stock stream does after a send
    }
    expect(seen.size).toBe((await db.exec("SELECT count(*) FROM crsql_changes")).rows[0]![0]);
  });
});
