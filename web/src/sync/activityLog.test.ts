import { describe, expect, it } from "vitest";
import { SYNC_ACTIVITY_KEEP } from "../../../shared/constants";
import { openMemoryReplica } from "../../../testing/nodeReplica";
import { serialised } from "../../../testing/replicaTools";
import { ActivityLog, writeActivity } from "./activityLog";

describe("sync activity log", () => {
  it("keeps the newest SYNC_ACTIVITY_KEEP entries, on the device only", async () => {
    const db = await openMemoryReplica();
    const changesBefore = (await db.exec("SELECT count(*) FROM crsql_changes")).rows;
    for (let batch = 0; batch < 4; batch++) {
      await writeActivity(db, Array.from({ length: 100 }, (_, i) => ({ at: batch * 100 + i, kind: "sent" as const, detail: `sent ${batch * 100 + i}` })));
    }
    const { rows } = await db.exec("SELECT count(*), min(at), max(at) FROM sync_activity");
    expect(rows).toEqual([[SYNC_ACTIVITY_KEEP, 400 - SYNC_ACTIVITY_KEEP, 399]]);
    expect((await db.exec("SELECT count(*) FROM crsql_changes")).rows).toEqual(changesBefore); // never replicated
  });

  it("buffers entries and writes them together", async () => {
    const db = await openMemoryReplica();
    const log = new ActivityLog(serialised(db));
    log.add("connected", "connected to the sync server");
    log.add("refused", "The server had a problem, retrying (1011)");
    expect((await db.exec("SELECT count(*) FROM sync_activity")).rows).toEqual([[0]]);
    await log.flush();
    expect((await db.exec("SELECT kind, detail FROM sync_activity ORDER BY id")).rows).toEqual([
      ["connected", "connected to the sync server"],
      ["refused", "The server had a problem, retrying (1011)"],
    ]);
  });
});
