/** The database persists where it should, and says so plainly where it cannot. */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { addNote, expectTitles, openApp, sql, storageOf } from "./app";
import { freshProfileDir, launchBrowser, launchProfile, removeProfileDirs } from "./browser";
import { OPFS_POOL_DIRECTORY } from "../shared/constants";

const baseUrl = inject("baseUrl");

/**
 * Opens the app over a damaged database: an error names where the notes are, no other storage is
 * opened (no "No notes yet"), and nothing is written over it (every database page is still the
 * damaged one: no new database file started in its place). `headers(false)` reads those pages.
 */
async function expectNamedNotReplaced(page: Page, url: string, message: RegExp, headers: (damage: boolean) => Promise<string[]>) {
  await openApp(page, url);
  await expect.poll(() => page.locator(".banner-error").textContent()).toMatch(message);
  expect(await storageOf(page)).toBe(null);
  expect(await page.getByText("No notes yet").isVisible()).toBe(false);
  await page.goto(`${new URL(url).origin}/favicon.svg`);
  const after = await headers(false);
  expect(after.length).toBeGreaterThan(0);
  expect(after.every((h) => h === "not a database!")).toBe(true);
}

describe("local database storage", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    removeProfileDirs();
  });

  it("OPFS: a note survives a reload", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await openApp(page, baseUrl);
    expect(await storageOf(page)).toBe("opfs");
    // The new database is the one the build made (emptyDatabase.ts): cr-sqlite made its site-id
    // table after that schema, where a created database has it before the migrations.
    expect(await sql(page, "SELECT (SELECT rootpage FROM sqlite_master WHERE name = 'crsql_site_id') > (SELECT rootpage FROM sqlite_master WHERE name = 'notes')")).toEqual([[1]]);
    await addNote(page, "kept in OPFS");
    await page.reload();
    await openApp(page, baseUrl);
    await expectTitles(page, ["kept in OPFS"]);
    await context.close();
  });

  it("OPFS: notes survive quitting and restarting the browser", async () => {
    const profile = freshProfileDir();
    let context = await launchProfile(profile);
    let page = context.pages()[0] ?? (await context.newPage());
    await openApp(page, baseUrl);
    await addNote(page, "before restart");
    await context.close();

    context = await launchProfile(profile);
    page = context.pages()[0] ?? (await context.newPage());
    await openApp(page, baseUrl);
    expect(await storageOf(page)).toBe("opfs");
    await expectTitles(page, ["before restart"]);
    await context.close();
  });

  it("after one visit the app boots with no network, with its notes, and accepts edits", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await openApp(page, baseUrl);
    await addNote(page, "written online");
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready; // the shell, worker and WASM are precached on install
    });
    await context.setOffline(true);
    await page.reload();
    await openApp(page, baseUrl);
    await expectTitles(page, ["written online"]);
    await page.getByLabel("Search notes").fill("writ");
    await expect.poll(() => page.locator(".search-results mark").allTextContents()).toEqual(["written"]);
    await page.getByLabel("Search notes").fill("");
    await addNote(page, "written offline");
    expect(await page.evaluate(() => navigator.onLine)).toBe(false);
    await context.close();
  });

  it("IndexedDB fallback: a note survives a reload, and the page says which storage it uses", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await openApp(page, `${baseUrl}/?storage=idb`);
    expect(await storageOf(page)).toBe("idb");
    await expect.poll(() => page.locator(".banner-info").textContent()).toMatch(/IndexedDB/);
    await addNote(page, "kept in IndexedDB");
    await page.reload();
    await openApp(page, `${baseUrl}/?storage=idb`);
    await expectTitles(page, ["kept in IndexedDB"]);
    await context.close();
  });

  it("notes an earlier visit kept in IndexedDB open on the next plain visit, even after an empty OPFS database was made first", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // A first visit makes its OPFS database (migrated, nothing written), a visit on IndexedDB
    // writes a note there, and a plain visit must show that note, not the empty OPFS database.
    await openApp(page, baseUrl);
    expect(await storageOf(page)).toBe("opfs");
    await page.goto(`${baseUrl}/favicon.svg`);
    await openApp(page, `${baseUrl}/?storage=idb`);
    expect(await storageOf(page)).toBe("idb");
    await addNote(page, "kept in IndexedDB earlier");
    await page.goto(`${baseUrl}/favicon.svg`);
    await openApp(page, baseUrl);
    expect(await storageOf(page)).toBe("idb");
    await expect.poll(() => page.locator(".banner-info").textContent()).toMatch(/kept in IndexedDB on this device, where an earlier visit saved them/);
    await expectTitles(page, ["kept in IndexedDB earlier"]);
    await context.close();
  });

  it("OPFS that holds the notes but will not open: the page says so, and no empty database elsewhere takes its place", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await openApp(page, baseUrl);
    expect(await storageOf(page)).toBe("opfs");
    await addNote(page, "kept in OPFS");
    // Away from the app, then damage the database file's first page in place (after the pool
    // VFS's 4 KB header): SQLite no longer recognises the file.
    await page.goto(`${baseUrl}/favicon.svg`);
    const headers = (damage: boolean) =>
      page.evaluate(
        async ({ damage, dir }) => {
          const pool = await (await navigator.storage.getDirectory()).getDirectoryHandle(dir);
          const found: string[] = [];
          for await (const handle of (pool as unknown as { values(): AsyncIterable<FileSystemHandle> }).values()) {
            if (handle.kind !== "file") continue;
            const file = handle as FileSystemFileHandle;
            const header = new TextDecoder().decode(await (await file.getFile()).slice(4096, 4096 + 15).arrayBuffer());
            if (header !== "SQLite format 3" && header !== "not a database!") continue;
            found.push(header);
            if (damage) {
              const writable = await file.createWritable({ keepExistingData: true });
              await writable.write({ type: "write", position: 4096, data: "not a database!" });
              await writable.close();
            }
          }
          return found;
        },
        { damage, dir: OPFS_POOL_DIRECTORY },
      );
    // The app's worker may hold the files for a moment after the page left.
    await expect.poll(() => headers(true).then(() => true, () => false), { timeout: 15_000 }).toBe(true);
    expect(await headers(false)).toContain("not a database!");
    await expectNamedNotReplaced(page, baseUrl, /notes are kept in this browser's private file system \(OPFS\) on this device, but it did not open/, headers);
    await context.close();
  });

  it("IndexedDB that holds the notes but will not open: the page says so, and no empty memory database takes its place", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await openApp(page, `${baseUrl}/?storage=idb`);
    await addNote(page, "kept in IndexedDB");
    // Away from the app (its database closes), then damage the database file's first page in place,
    // as a failing disk or a half-written header would: SQLite no longer recognises the file.
    await page.goto(`${baseUrl}/favicon.svg`);
    // The first 15 bytes of each stored page that starts as a database file does; `damage` overwrites them.
    const headers = (damage: boolean) =>
      page.evaluate(
        (damage) =>
          new Promise<string[]>((resolve, reject) => {
            const open = indexedDB.open("idb-batch-atomic");
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
              const tx = open.result.transaction("blocks", "readwrite");
              const found: string[] = [];
              tx.objectStore("blocks").openCursor().onsuccess = (event) => {
                const cursor = (event.target as IDBRequest<IDBCursorWithValue | null>).result;
                if (!cursor) return;
                const block = cursor.value as { data: unknown };
                // The VFS also keeps a record of pages to purge, whose data is a Map.
                if (!(block.data instanceof Uint8Array)) return cursor.continue();
                const header = new TextDecoder().decode(block.data.slice(0, 15));
                if (header === "SQLite format 3" || header === "not a database!") {
                  found.push(header);
                  if (damage) {
                    block.data.set(new TextEncoder().encode("not a database!"));
                    cursor.update(block);
                  }
                }
                cursor.continue();
              };
              tx.oncomplete = () => resolve(found);
              tx.onerror = () => reject(tx.error);
              // A throw in a handler aborts the transaction without an error event: fail, not hang.
              tx.onabort = () => reject(tx.error ?? new Error("the IndexedDB transaction was aborted"));
            };
          }),
        damage,
      );
    expect(await headers(true)).toContain("SQLite format 3");
    await expectNamedNotReplaced(page, `${baseUrl}/?storage=idb`, /notes are kept in IndexedDB on this device, but it did not open/, headers);
    await context.close();
  });

  it("memory fallback: the app works and a banner says the notes will not be kept", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await openApp(page, `${baseUrl}/?storage=memory`);
    expect(await storageOf(page)).toBe("memory");
    await expect.poll(() => page.getByRole("alert").first().textContent()).toMatch(/Not saved/);
    await addNote(page, "only in memory");
    await expectTitles(page, ["only in memory"]);
    await context.close();
  });
});
