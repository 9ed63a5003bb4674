import { createRoot } from "solid-js";
import { describe, expect, it } from "vitest";
import { DbClient } from "../db/client";
import { notes } from "../../../shared/schema";
import { openMemoryReplica } from "../../../testing/nodeReplica";
import { inProcessWorker } from "../../../testing/inProcessWorker";
import { appDb, DbProvider, useDb, type AppDb } from "./dbContext";

describe("useDb", () => {
  it("says where to look when no provider is above", () => {
    expect(() => createRoot(() => useDb())).toThrow(/outside <DbProvider>.*main\.tsx/);
  });

  it("gives the components below the provider the client and Drizzle instance it holds", async () => {
    const client = new DbClient(inProcessWorker(await openMemoryReplica()));
    const value: AppDb = appDb(client);
    let seen: AppDb | undefined;
    createRoot(() =>
      // What `<DbProvider value={value}><Child /></DbProvider>` compiles to, without JSX.
      DbProvider({
        value,
        get children() {
          seen = useDb();
          return undefined;
        },
      }),
    );
    expect(seen).toBe(value);
    const rows = await seen!.client.query({ sql: "SELECT 1", params: [], method: "all" });
    expect(rows.rows).toEqual([[1]]);
  });

  it("loads Drizzle on demand: one instance, the same through drizzle() and db once loaded", async () => {
    const client = new DbClient(inProcessWorker(await openMemoryReplica()));
    const value = appDb(client);
    const db = await value.drizzle();
    expect(value.db).toBe(db);
    expect(await value.drizzle()).toBe(db);
    await db.insert(notes).values({ id: "n1", title: "through the lazy Drizzle" });
    expect((await client.query({ sql: "SELECT title FROM notes", params: [], method: "all" })).rows).toEqual([["through the lazy Drizzle"]]);
  });
});
