import { createRoot } from "solid-js";
import { describe, expect, it } from "vitest";
import { DbClient } from "../db/client";
import { createDrizzle } from "../db/drizzle";
import { openMemoryReplica } from "../../../testing/nodeReplica";
import { inProcessWorker } from "../../../testing/inProcessWorker";
import { DbProvider, useDb, type AppDb } from "./dbContext";

describe("useDb", () => {
  it("says where to look when no provider is above", () => {
    expect(() => createRoot(() => useDb())).toThrow(/outside <DbProvider>.*main\.tsx/);
  });

  it("gives the components below the provider the client and Drizzle instance it holds", async () => {
    const client = new DbClient(inProcessWorker(await openMemoryReplica()));
    const value: AppDb = { client, db: createDrizzle(client) };
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
});
