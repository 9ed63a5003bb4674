import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { noteEntities, notes } from "../../../shared/schema";
import { DbClient } from "./client";
import { createDrizzle } from "./drizzle";
import { watchQuery, watchRead } from "./live";
import { openMemoryReplica } from "../../../testing/nodeReplica";
import { inProcessWorker } from "../../../testing/inProcessWorker";

async function setup() {
  const client = new DbClient(inProcessWorker(await openMemoryReplica()));
  return { client, db: createDrizzle(client) };
}

/** Resolves after pending messages and re-runs have settled. */
const settle = () => new Promise((r) => setTimeout(r, 20));

describe("live queries", () => {
  it("re-run only when a table they read changes", async () => {
    const { client, db } = await setup();
    const results: string[][] = [];
    const { dispose } = watchQuery(client, (d) => d.select({ title: notes.title }).from(notes), ({ data }) => results.push(data!.map((n) => n.title)));
    await settle();
    expect(results).toEqual([[]]);

    await db.insert(notes).values({ id: "n1", title: "first" });
    await settle();
    expect(results).toEqual([[], ["first"]]);

    await client.query({ sql: "INSERT INTO reminders (id, note_id) VALUES ('r1', 'n1')", params: [], method: "run" });
    await settle();
    expect(results).toHaveLength(2); // reminders is not read by this query

    dispose();
    await db.insert(notes).values({ id: "n2", title: "after dispose" });
    await settle();
    expect(results).toHaveLength(2);
  });

  it("follow every table of a join", async () => {
    const { client, db } = await setup();
    await db.insert(notes).values({ id: "n1", title: "tagged" });
    let runs = 0;
    watchQuery(
      client,
      (d) => d.select({ title: notes.title }).from(notes).innerJoin(noteEntities, eq(noteEntities.noteId, notes.id)),
      () => runs++,
    );
    await settle();
    expect(runs).toBe(1);
    await db.insert(noteEntities).values({ noteId: "n1", entityId: "e_travel" });
    await settle();
    expect(runs).toBe(2);
  });

  it("a query that failed recovers on the next change", async () => {
    const { client, db } = await setup();
    let calls = 0;
    const results: Array<string | undefined> = [];
    watchQuery(
      client,
      async (d) => {
        if (calls++ === 0) throw new Error("not yet");
        return (await d.select().from(notes)).length;
      },
      ({ data, error }) => results.push(error ? error.message : String(data)),
    );
    await settle();
    await db.insert(notes).values({ id: "n1" });
    await settle();
    expect(results).toEqual(["not yet", "1"]);
  });

  it("a burst of writes costs at most one extra run after the one in flight", async () => {
    const { client, db } = await setup();
    let runs = 0;
    watchQuery(client, (d) => d.select().from(notes), () => runs++);
    await settle();
    await Promise.all(Array.from({ length: 20 }, (_, i) => db.insert(notes).values({ id: `n${i}` })));
    await settle();
    expect(runs).toBeLessThanOrEqual(4);
    expect(runs).toBeGreaterThanOrEqual(2);
  });

  it("a worker read re-runs when a table it read changes, and not for others", async () => {
    const { client, db } = await setup();
    const counts: number[] = [];
    const { dispose } = watchRead(client, "noteCount", () => ({ section: "trash" }), ({ data }) => counts.push(data!));
    await settle();
    expect(counts).toEqual([0]);
    await db.insert(notes).values({ id: "n1", title: "gone", trashedAt: 5 });
    await settle();
    expect(counts).toEqual([0, 1]);
    await client.query({ sql: "INSERT INTO reminders (id, note_id) VALUES ('r1', 'n1')", params: [], method: "run" });
    await settle();
    expect(counts).toEqual([0, 1]);
    dispose();
  });

  it("a read answered by a tab of an older version (which does not know reads) fails with a clear error", async () => {
    // What an older owner's worker answers to a request kind it does not know: ok, and no value.
    const older = {
      onmessage: null as ((event: MessageEvent) => void) | null,
      onerror: null,
      postMessage(message: { type: string; id?: number }) {
        if (message.type === "request") queueMicrotask(() => older.onmessage?.({ data: { type: "response", id: message.id, response: { ok: true, value: undefined } } } as MessageEvent));
      },
    };
    const client = new DbClient(older as unknown as Worker);
    await expect(client.read("hasNotes", null)).rejects.toThrow(/another tab holds the database and runs an older version of CoBrain: reload or close it/);
  });
});
