/** One tab's worker owns the database; the others route to it and see its writes live. */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { addNote, expectTitles, openApp, waitForNote } from "./app";
import { launchBrowser } from "./browser";

const baseUrl = inject("baseUrl");

describe("several tabs", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());

  it("a write in one tab appears in the other without reload, both ways", async () => {
    const context = await browser.newContext();
    const first = await context.newPage();
    await openApp(first, baseUrl);
    const second = await context.newPage();
    await openApp(second, baseUrl);
    const roles = [await first.locator(".app").getAttribute("data-role"), await second.locator(".app").getAttribute("data-role")];
    expect(roles.sort()).toEqual(["follower", "owner"]);

    await addNote(first, "from the first tab");
    await waitForNote(second, "from the first tab");
    await addNote(second, "from the second tab");
    await waitForNote(first, "from the second tab");
    await context.close();
  });

  it("closing the owner tab leaves the other tab working on the same data", async () => {
    const context = await browser.newContext();
    const owner = await context.newPage();
    await openApp(owner, baseUrl);
    await addNote(owner, "written by the owner");
    const other = await context.newPage();
    await openApp(other, baseUrl);
    await waitForNote(other, "written by the owner");
    expect(await other.locator(".app").getAttribute("data-role")).toBe("follower");

    await owner.close({ runBeforeUnload: true });
    await expect.poll(() => other.locator(".app").getAttribute("data-role"), { timeout: 15_000 }).toBe("owner");
    await addNote(other, "after the owner left");
    await expectTitles(other, ["after the owner left", "written by the owner"]);

    const third = await context.newPage();
    await openApp(third, baseUrl);
    await waitForNote(third, "after the owner left");
    await expectTitles(third, ["after the owner left", "written by the owner"]);
    await context.close();
  });
});
