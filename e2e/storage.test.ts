/** The database persists where it should, and says so plainly where it cannot. */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { addNote, expectTitles, openApp, storageOf } from "./app";
import { freshProfileDir, launchBrowser, launchProfile, removeProfileDirs } from "./browser";

const baseUrl = inject("baseUrl");

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
