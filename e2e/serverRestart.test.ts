/** The log and every device's cursor live in Durable Object storage and survive a server restart. */
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { ROOT, startLocalServer, type LocalServer } from "../scripts/lib/localServer.ts";
import { pullChanges } from "../web/src/db-worker/changes";
import { converge, logStats, NodeDevice } from "./nodeDevice";
import { ownServerPort } from "./ports";

const authSecret = inject("authSecret");
/** A server of this test's own, so stopping it does not disturb the other suites. */
const PORT = ownServerPort("E2E_RESTART_PORT", 8792);

describe("local server restart", () => {
  const persistTo = mkdtempSync(join(ROOT, ".tmp", "restart-state-"));
  let server: LocalServer | undefined;
  const devices: NodeDevice[] = [];
  afterAll(async () => {
    devices.forEach((d) => d.disconnect());
    await server?.stop();
  });

  it("keeps the log and cursors: nothing is re-pushed or lost, and a new device gets everything", async () => {
    const user = `restart-${Date.now()}`;
    server = await startLocalServer({ port: PORT, persistTo, authSecret });
    const a = await NodeDevice.create(user, "a");
    devices.push(a);
    await a.writeMany(Array.from({ length: 50 }, (_, i) => ["INSERT INTO notes (id, title) VALUES (?, ?)", [`n${i}`, `note ${i}`]]));
    const cells = (await pullChanges(a.db, 0n)).length;
    await a.connect(server.url, authSecret);
    await expect.poll(async () => (await logStats(server!.url, authSecret, user)).rows, { timeout: 15_000 }).toBe(cells);
    const before = await logStats(server.url, authSecret, user);
    a.disconnect();
    await server.stop();

    server = await startLocalServer({ port: PORT, persistTo, authSecret });
    expect(await logStats(server.url, authSecret, user)).toEqual(before);
    await a.connect(server.url, authSecret); // announces; the server's stored cursor says it has everything
    await a.write("UPDATE notes SET title = 'after restart' WHERE id = 'n0'");
    const b = await NodeDevice.create(user, "b");
    devices.push(b);
    await b.connect(server.url, authSecret);
    await converge([a, b]);
    expect(await b.count("notes")).toBe(50);
    const after = await logStats(server.url, authSecret, user);
    expect(after.head).toBe(before.head + 1); // only the new edit was appended: no re-push
    expect(after.rows).toBe(before.rows); // ...and it replaced the old title entry
  });
});
