/**
 * An IndexedDB database held by another connection (WebKitGTK's reload after an edit, see the
 * README's "Browser tests") makes the app say why it cannot open, instead of staying on
 * "Opening your notes…" with nothing said.
 */
import { describe, expect, inject, it } from "vitest";
import { openApp, storageOf } from "./app";
import { browserSession } from "./session";

const baseUrl = inject("baseUrl");

describe("a held IndexedDB database", () => {
  const session = browserSession();

  it("is reported with the reason, and the notes open once it is let go", async () => {
    const context = await session.context();
    const page = await context.newPage();
    await openApp(page, `${baseUrl}/?storage=idb`);
    expect(await storageOf(page)).toBe("idb");

    // Another page of the origin keeps a read-write transaction on the notes' database alive.
    const holder = await context.newPage();
    await holder.goto(`${baseUrl}/manifest.webmanifest`);
    await page.close();
    await holder.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const request = indexedDB.open("idb-batch-atomic");
          request.onsuccess = () => {
            const db = request.result;
            const tx = db.transaction(db.objectStoreNames, "readwrite");
            const store = tx.objectStore(db.objectStoreNames[0]!);
            const spin = () => {
              if ((globalThis as { releaseIdb?: boolean }).releaseIdb) return db.close();
              store.count().onsuccess = spin;
            };
            spin();
            resolve();
          };
        }),
    );

    const reopened = await context.newPage();
    await openApp(reopened, `${baseUrl}/?storage=idb`);
    expect(await reopened.locator(".banner-error").textContent()).toMatch(/IndexedDB opened but could not start writing.*still holds the notes database/);

    await holder.evaluate(() => void ((globalThis as { releaseIdb?: boolean }).releaseIdb = true));
    await reopened.reload();
    await openApp(reopened, `${baseUrl}/?storage=idb`);
    expect(await storageOf(reopened)).toBe("idb");
  });
});
