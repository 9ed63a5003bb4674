/**
 * The app's core flows in one engine, against the real local Worker: open; add and edit a note;
 * reload and find it (on screen and in the device's database); sync both ways with a device in
 * Chromium; boot with the server gone. Each engine's test file calls this with what it expects.
 */
import { afterAll, describe, expect, inject, it } from "vitest";
import { RestartableServer } from "../restartableServer.ts";
import { addNote, noteRows, openApp, openNote, signIn, sql, storageOf, type, waitForOpen, waitForText } from "./appFlows.ts";
import { engineDevices } from "./devices.ts";
import type { EngineName } from "./driver.ts";
import { ownServerPort } from "../ports.ts";

const baseUrl = inject("baseUrl");
const authSecret = inject("authSecret");
/** The offline boot needs a server of its own to stop, on its own port (e2e/ports.ts). */
const OWN_SERVER_PORT = ownServerPort("E2E_RESTART_PORT", 8792);

export interface EngineExpectations {
  /** The storage the app must choose in this engine's automation session. */
  storage: "opfs" | "idb";
  /** When the storage is not OPFS: what the app's banner must say. */
  banner?: RegExp;
  /** Set when this engine's automation cannot boot the app offline: the reason, shown as the skip. */
  offlineBootSkip?: string;
}

export function coreFlows(engine: Exclude<EngineName, "chromium">, expected: EngineExpectations): void {
  describe(`core flows in ${engine}`, () => {
    const devices = engineDevices();
    const user = () => `${engine}-${Math.random().toString(36).slice(2, 10)}`;

    describe("on a server of its own", () => {
      const server = new RestartableServer(`e2e-${engine}-`, OWN_SERVER_PORT, authSecret);
      afterAll(() => server.stop());

      // One device and one test for all of it: each browser start and app open costs seconds.
      it(`opens on ${expected.storage}, adds a note and finds it after a reload, ${
        expected.offlineBootSkip ? `(boot offline skipped: ${expected.offlineBootSkip})` : "boots again with the server stopped"
      }, edits the note and finds the edit after a reload`, async () => {
        const [device] = await Promise.all([devices.launch(engine), server.start()]);
        await openApp(device, server.url);
        expect(await storageOf(device)).toBe(expected.storage);
        // A new OPFS database starts from the one the build made (emptyDatabase.ts): cr-sqlite made
        // its site-id table after that schema, where a created database has it before the migrations.
        const placed = await sql(device, "SELECT (SELECT rootpage FROM sqlite_master WHERE name = 'crsql_site_id') > (SELECT rootpage FROM sqlite_master WHERE name = 'notes')");
        expect(placed).toEqual([[expected.storage === "opfs" ? 1 : 0]]);
        const banner = await device.evaluate(() => Array.from(document.querySelectorAll("[role=status], [role=alert]"), (e) => e.textContent).join("\n"));
        if (expected.banner) expect(banner).toMatch(expected.banner);
        else expect(banner).not.toMatch(/IndexedDB|Not saved/);

        await addNote(device, "Groceries");
        const added = [["Groceries", ""]];
        expect(await noteRows(device, "Groceries")).toEqual(added);
        await device.reload();
        await waitForOpen(device);
        expect(await storageOf(device)).toBe(expected.storage);
        await waitForText(device, "Groceries");
        expect(await noteRows(device, "Groceries")).toEqual(added);

        if (!expected.offlineBootSkip) {
          // The service worker is active once it has precached the app shell.
          await device.evaluate(async () => void (await navigator.serviceWorker.ready));
          await server.stop();
          expect(await fetch(server.url).then(() => "answered", () => "refused")).toBe("refused");
          await device.reload();
          await waitForOpen(device);
          expect(await storageOf(device)).toBe(expected.storage);
          await waitForText(device, "Groceries");
          expect(await noteRows(device, "Groceries")).toEqual(added);
        }

        await openNote(device, "Groceries");
        await type(device, { label: "Title" }, "Groceries for Sunday");
        await type(device, { label: "Body" }, `eggs, milk, written in ${engine}`);
        const edited = [["Groceries for Sunday", `eggs, milk, written in ${engine}`]];
        await expect.poll(() => noteRows(device, "Groceries for Sunday")).toEqual(edited);
        expect(await sql(device, "SELECT count(*) FROM notes")).toEqual([[1]]);

        await device.reload();
        await waitForOpen(device);
        await waitForText(device, "Groceries for Sunday");
        expect(await noteRows(device, "Groceries for Sunday")).toEqual(edited);
      });
    });

    it("syncs both ways with a device in Chromium", async () => {
      const u = user();
      const [device, chromium] = await Promise.all([devices.launch(engine), devices.launch("chromium")]);
      // One after the other: the first device makes the account key and the second is handed it.
      const key = await signIn(chromium, baseUrl, authSecret, u, "chromium");
      await signIn(device, baseUrl, authSecret, u, engine, key);

      await addNote(device, `written in ${engine}`);
      await waitForText(chromium, `written in ${engine}`);
      await addNote(chromium, "written in Chromium");
      await waitForText(device, "written in Chromium");

      await openNote(chromium, `written in ${engine}`);
      await type(chromium, { label: "Body" }, "answered from Chromium");
      await expect.poll(() => noteRows(device, `written in ${engine}`), { timeout: 30_000 }).toEqual([[`written in ${engine}`, "answered from Chromium"]]);
      const both = "SELECT id, title, body FROM notes ORDER BY id";
      await expect.poll(async () => JSON.stringify(await sql(device, both)) === JSON.stringify(await sql(chromium, both)), { timeout: 30_000 }).toBe(true);
      expect(await sql(device, "SELECT count(*) FROM notes")).toEqual([[2]]);
    });
  });
}
