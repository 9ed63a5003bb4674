/**
 * No edit is ever lost, as two people with two devices of one user would find it: separate
 * Chromium contexts against the real local Worker, each device's database checked, not only the screen.
 */
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { addNote, confirmImport, notesSnapshot, openApp, openNote, signedInDevice, sql, waitForSync } from "./app";
import { ROOT } from "../scripts/lib/localServer.ts";
import { MAX_NOTE_TEXT_CHARS } from "../shared/constants";
import { browserSession } from "./session";

const baseUrl = inject("baseUrl");
const authSecret = inject("authSecret");
const TMP = join(ROOT, ".tmp");

describe("no edit is ever lost", () => {
  const session = browserSession();
  const user = () => `u-${Math.random().toString(36).slice(2, 10)}`;

  async function device(userId: string, deviceId: string): Promise<{ page: Page; context: BrowserContext }> {
    const context = await session.context({ acceptDownloads: true });
    const page = await context.newPage();
    await signedInDevice(page, baseUrl, authSecret, userId, deviceId);
    return { page, context };
  }

  async function expectSame(a: Page, b: Page, timeout = 30_000) {
    const both = async () => [JSON.stringify(await notesSnapshot(a)), JSON.stringify(await notesSnapshot(b))];
    try {
      await expect.poll(async () => new Set(await both()).size, { timeout }).toBe(1);
    } catch (e) {
      const status = await Promise.all([a, b].map((p) => p.locator(".sync-indicator").textContent()));
      throw new Error(`devices differ: ${(await both()).join(" / ")}; status: ${status.join(" / ")}`, { cause: e });
    }
  }

  const bodyOf = async (page: Page, title: string) => ((await sql(page, "SELECT body FROM notes WHERE title = ?", [title]))[0]?.[0] ?? null) as string | null;

  /** A note with `body` made on A and present on B. */
  async function sharedNote(a: Page, b: Page, title: string, body: string) {
    await addNote(a, title);
    await openNote(a, title);
    await a.getByLabel("Body").fill(body);
    await a.getByLabel("Title", { exact: true }).focus(); // blur saves at once
    await expect.poll(() => bodyOf(b, title), { timeout: 10_000 }).toBe(body);
    await waitForSync(a, "synced");
    await waitForSync(b, "synced");
  }

  it("two devices offline append different paragraphs: both paragraphs are in the note on both", async () => {
    const u = user();
    const { page: a, context: ca } = await device(u, "phone");
    const { page: b, context: cb } = await device(u, "laptop");
    await sharedNote(a, b, "Trip", "Day 1: Lisbon.");
    await ca.setOffline(true);
    await cb.setOffline(true);
    await waitForSync(a, "offline");
    await waitForSync(b, "offline");
    await openNote(a, "Trip");
    await a.getByLabel("Body").fill("Day 1: Lisbon.\n\nDay 2: Porto.");
    await a.getByLabel("Title", { exact: true }).focus();
    await openNote(b, "Trip");
    await b.getByLabel("Body").fill("Day 1: Lisbon.\n\nDay 2: book the hotel in Sintra.");
    await b.getByLabel("Title", { exact: true }).focus();
    await expect.poll(() => bodyOf(b, "Trip")).toContain("Sintra");
    await ca.setOffline(false);
    await cb.setOffline(false);
    await expectSame(a, b);
    for (const page of [a, b]) {
      const body = (await bodyOf(page, "Trip"))!;
      expect(body).toContain("Day 2: Porto.");
      expect(body).toContain("Day 2: book the hotel in Sintra.");
      expect(body.match(/Day 1: Lisbon\./g)).toHaveLength(1);
    }
  });

  it("two devices offline add to the end of the same line: every word of both is in the note on both, the words they share included", async () => {
    const u = user();
    const { page: a, context: ca } = await device(u, "phone");
    const { page: b, context: cb } = await device(u, "laptop");
    await sharedNote(a, b, "Todo", "Todo:");
    await ca.setOffline(true);
    await cb.setOffline(true);
    await waitForSync(a, "offline");
    await waitForSync(b, "offline");
    for (const [page, line] of [
      [a, "Todo: call the bank at 5"],
      [b, "Todo: email the landlord about flat 5"],
    ] as const) {
      await openNote(page, "Todo");
      await page.getByLabel("Body").fill(line);
      await page.getByLabel("Title", { exact: true }).focus();
      await expect.poll(() => bodyOf(page, "Todo")).toBe(line);
    }
    await ca.setOffline(false);
    await cb.setOffline(false);
    await expectSame(a, b);
    for (const page of [a, b]) {
      const body = (await bodyOf(page, "Todo"))!;
      expect(body).toContain("call the bank at 5");
      expect(body).toContain("email the landlord about flat 5");
      expect(await sql(page, "SELECT count(*) FROM note_revisions WHERE kind = 'conflict'")).toEqual([[0]]);
    }
  });

  it("the same line changed on both: one line in the note, the other in a conflict revision, '2 versions' on both until resolved on one", async () => {
    const u = user();
    const { page: a, context: ca } = await device(u, "phone");
    const { page: b, context: cb } = await device(u, "laptop");
    await sharedNote(a, b, "Plan", "Meet at noon.\nBring maps.");
    await ca.setOffline(true);
    await cb.setOffline(true);
    await waitForSync(a, "offline");
    await waitForSync(b, "offline");
    await openNote(a, "Plan");
    await a.getByLabel("Body").fill("Meet at the station.\nBring maps.");
    await a.getByLabel("Title", { exact: true }).focus();
    await openNote(b, "Plan");
    await b.getByLabel("Body").fill("Meet at the museum.\nBring maps.");
    await b.getByLabel("Title", { exact: true }).focus();
    await expect.poll(() => bodyOf(b, "Plan")).toContain("museum");
    await ca.setOffline(false);
    await cb.setOffline(false);
    await expectSame(a, b);
    const body = (await bodyOf(a, "Plan"))!;
    const kept = body.includes("station") ? "station" : "museum";
    const other = kept === "station" ? "museum" : "station";
    expect(body).not.toContain(other);
    for (const page of [a, b]) {
      await expect.poll(() => sql(page, "SELECT count(*) FROM note_revisions WHERE kind = 'conflict' AND body LIKE ?", [`%${other}%`]), { timeout: 10_000 }).toEqual([[1]]);
      await page.locator(".note-versions", { hasText: "2 versions" }).first().waitFor({ timeout: 10_000 });
      await page.locator(".editor .note-versions", { hasText: "2 versions" }).waitFor({ timeout: 10_000 });
    }
    // A JSON backup keeps the conflict: restored on a wiped device, the note still shows 2 versions.
    const restored = await restoredFromBackup(a);
    await restored.locator(".note-versions", { hasText: "2 versions" }).first().waitFor({ timeout: 10_000 });
    expect(await sql(restored, "SELECT id, kind, body FROM note_revisions ORDER BY id")).toEqual(await sql(a, "SELECT id, kind, body FROM note_revisions ORDER BY id"));

    // Resolve on A by keeping both; B's "2 versions" goes away and both texts are in the note.
    await a.locator(".editor .note-versions").click();
    await a.getByRole("button", { name: "Keep both" }).click();
    for (const page of [a, b]) {
      await expect.poll(() => page.locator(".note-versions").count(), { timeout: 10_000 }).toBe(0);
    }
    await expectSame(a, b);
    const resolved = (await bodyOf(b, "Plan"))!;
    expect(resolved).toContain("station");
    expect(resolved).toContain("museum");
  });

  /** Exports a JSON backup on `page` and imports it on a new, empty device. */
  async function restoredFromBackup(page: Page): Promise<Page> {
    await page.getByRole("button", { name: "Settings", exact: true }).click();
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export full backup (JSON)" }).click()]);
    const path = join(TMP, `noEditLost-${Date.now()}.json`);
    await download.saveAs(path);
    await page.getByRole("button", { name: "Notes", exact: true }).click();
    const wiped = await (await session.context()).newPage();
    await openApp(wiped, baseUrl);
    await wiped.getByRole("button", { name: "Settings", exact: true }).click();
    await wiped.getByLabel(/^Import notes/).setInputFiles(path);
    await confirmImport(wiped);
    await wiped.getByText(/^Imported \d+ notes?\./).waitFor();
    await wiped.getByRole("button", { name: "Notes", exact: true }).click();
    return wiped;
  }

  it("restores a version from history as a new edit; history survives a JSON backup", async () => {
    const { page: a } = await device(user(), "phone");
    await addNote(a, "Essay");
    await openNote(a, "Essay");
    await a.getByLabel("Body").fill("version one");
    await a.getByLabel("Title", { exact: true }).focus();
    await expect.poll(() => bodyOf(a, "Essay")).toBe("version one");
    // Revisions are taken at most every few minutes of typing: let that time pass.
    await sql(a, "UPDATE note_revisions SET created_at = created_at - 600000");
    await a.getByLabel("Body").fill("version two");
    await a.getByLabel("Title", { exact: true }).focus();
    await expect.poll(() => sql(a, "SELECT body FROM note_revisions WHERE kind = 'edit' ORDER BY created_at DESC LIMIT 1")).toEqual([["version one"]]);
    await a.getByRole("button", { name: "History" }).click();
    await a.locator(".history-list button").first().click();
    await expect.poll(() => a.locator(".history-text").textContent()).toBe("version one");
    // What changed since that version, word by word, in markup a screen reader announces.
    await expect.poll(() => a.locator(".history-diff del").allTextContents()).toEqual(["removed: one"]);
    await expect.poll(() => a.locator(".history-diff ins").allTextContents()).toEqual(["added: two"]);
    expect(await a.locator(".history-diff").textContent()).toBe("version removed: oneadded: two");
    await a.getByRole("button", { name: "Restore this version" }).click();
    await expect.poll(() => bodyOf(a, "Essay")).toBe("version one");
    await expect.poll(() => a.getByLabel("Body").inputValue()).toBe("version one");
    // The restore is itself in history: the text it replaced is kept.
    expect(await sql(a, "SELECT body FROM note_revisions WHERE kind = 'restore'")).toEqual([["version two"]]);

    const restored = await restoredFromBackup(a);
    expect(await sql(restored, "SELECT kind, body, created_at FROM note_revisions ORDER BY created_at, id")).toEqual(
      await sql(a, "SELECT kind, body, created_at FROM note_revisions ORDER BY created_at, id"),
    );
  });

  it("A's body is focused and idle while B adds a paragraph: A shows it, and A's next word keeps it", async () => {
    const u = user();
    const { page: a } = await device(u, "phone");
    const { page: b } = await device(u, "laptop");
    await sharedNote(a, b, "Focus", "First paragraph.");
    await openNote(a, "Focus");
    const body = a.getByLabel("Body");
    await body.click();
    await a.keyboard.press("End");
    await openNote(b, "Focus");
    await b.getByLabel("Body").fill("First paragraph.\n\nFrom the laptop.");
    await b.getByLabel("Title", { exact: true }).focus();
    // From the moment the change is in B's database, A's open editor shows it within a second.
    await expect.poll(() => bodyOf(b, "Focus"), { timeout: 5_000, interval: 20 }).toContain("From the laptop.");
    await expect.poll(() => body.inputValue(), { timeout: 1_000, interval: 20 }).toContain("From the laptop.");
    // The caret stayed where A left it (end of the first paragraph), and typing keeps B's paragraph.
    await a.keyboard.type(" More");
    await expect.poll(() => body.inputValue()).toBe("First paragraph. More\n\nFrom the laptop.");
    await a.getByLabel("Title", { exact: true }).focus();
    await expect.poll(() => bodyOf(b, "Focus"), { timeout: 10_000 }).toBe("First paragraph. More\n\nFrom the laptop.");
    expect(await bodyOf(a, "Focus")).toBe("First paragraph. More\n\nFrom the laptop.");
  });

  it("A types over a word while B changes the same word: A's words in the note, B's kept as a conflict on both", async () => {
    const u = user();
    const { page: a } = await device(u, "phone");
    const { page: b } = await device(u, "laptop");
    await sharedNote(a, b, "Meeting", "Meet at noon.");
    await openNote(a, "Meeting");
    await openNote(b, "Meeting");
    const body = a.getByLabel("Body");
    await body.click();
    await body.evaluate((el: HTMLTextAreaElement) => el.setSelectionRange("Meet at ".length, "Meet at noon".length));
    // A key every 70 ms, under the autosave pause: A's words stay unsaved while B's change arrives.
    const typed = "half past five, after the standup, in the small room on the third floor";
    const typing = a.keyboard.type(typed, { delay: 70 });
    await b.getByLabel("Body").fill("Meet at nine.");
    await b.getByLabel("Title", { exact: true }).focus();
    await typing;
    await a.getByLabel("Title", { exact: true }).focus();
    await expectSame(a, b);
    for (const page of [a, b]) {
      const note = (await bodyOf(page, "Meeting"))!;
      expect(note).toContain(typed);
      if (!note.includes("nine")) {
        await expect.poll(() => sql(page, "SELECT body FROM note_revisions WHERE kind = 'conflict'"), { timeout: 10_000 }).toEqual([["Meet at nine."]]);
        await page.locator(".editor .note-versions", { hasText: "2 versions" }).waitFor({ timeout: 10_000 });
      }
    }
  });

  it("A types in the body while B renames the note: B's title survives on both", async () => {
    const u = user();
    const { page: a } = await device(u, "phone");
    const { page: b } = await device(u, "laptop");
    await sharedNote(a, b, "Old name", "Some text.");
    await openNote(a, "Old name");
    await a.getByLabel("Body").click();
    await a.keyboard.press("End");
    await a.keyboard.type(" one");
    await openNote(b, "Old name");
    await b.getByLabel("Title", { exact: true }).fill("New name");
    await b.getByLabel("Body").focus();
    await expect.poll(() => sql(a, "SELECT title FROM notes"), { timeout: 10_000 }).toEqual([["New name"]]);
    await a.keyboard.type(" two");
    await a.getByLabel("Title", { exact: true }).focus();
    await expectSame(a, b);
    expect(await sql(b, "SELECT title, body FROM notes")).toEqual([["New name", "Some text. one two"]]);
  });

  it("a note closed at once with typing that cannot be saved: the app names it, and opening the note gives it back", async () => {
    const { page: a } = await device(user(), "phone");
    await addNote(a, "Long");
    await openNote(a, "Long");
    const tooLong = `${"word ".repeat(MAX_NOTE_TEXT_CHARS / 5)}and one more`;
    await a.getByLabel("Body").fill(tooLong);
    await a.keyboard.press("Escape"); // closes the note before its autosave
    const banner = a.getByRole("alert").filter({ hasText: "were not saved" });
    await expect.poll(() => banner.textContent(), { timeout: 10_000 }).toMatch(/Your last changes to “Long” were not saved: the body is too long/);
    expect(await bodyOf(a, "Long")).toBe("");

    await banner.getByRole("button", { name: "Open them" }).click();
    await expect.poll(() => a.getByLabel("Body").inputValue(), { timeout: 10_000 }).toBe(tooLong);
    await expect.poll(() => a.locator(".editor").textContent()).toMatch(/Not saved: the body is too long/);
    expect(await banner.count()).toBe(0);
    await a.getByLabel("Body").fill("Shortened, and kept.");
    await a.getByLabel("Title", { exact: true }).focus();
    await expect.poll(() => bodyOf(a, "Long")).toBe("Shortened, and kept.");
  });
  const keptCopies = (page: Page) => page.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith("cobrain.unsaved.")));

  it("typing whose save failed is kept on the device across a reload: the banner comes back, Open gives it back, and once saved nothing is offered again", async () => {
    const { page: a } = await device(user(), "phone");
    await addNote(a, "Long");
    await openNote(a, "Long");
    const tooLong = `${"word ".repeat(MAX_NOTE_TEXT_CHARS / 5)}and kept`;
    await a.getByLabel("Body").fill(tooLong);
    await a.keyboard.press("Escape"); // closes the note before its autosave; the save then fails
    const banner = a.getByRole("alert").filter({ hasText: "were not saved" });
    await expect.poll(() => banner.textContent(), { timeout: 10_000 }).toMatch(/the body is too long/);

    await a.reload();
    await expect.poll(() => banner.textContent(), { timeout: 10_000 }).toMatch(/Your last changes to “Long” were not saved: the body is too long/);
    expect(await bodyOf(a, "Long")).toBe("");
    await banner.getByRole("button", { name: "Open them" }).click();
    await expect.poll(() => a.getByLabel("Body").inputValue(), { timeout: 10_000 }).toBe(tooLong);
    await a.getByLabel("Body").fill("Shortened, and kept.");
    await a.getByLabel("Title", { exact: true }).focus();
    await expect.poll(() => bodyOf(a, "Long")).toBe("Shortened, and kept.");
    await expect.poll(() => keptCopies(a)).toEqual([]);
    await a.reload();
    await openNote(a, "Long");
    expect(await a.getByLabel("Body").inputValue()).toBe("Shortened, and kept.");
    expect(await banner.count()).toBe(0);
  });

  it("a page closed while its save waits in the database's queue: the device keeps a copy, and the next start offers it back and saves it", async () => {
    const { page: a, context } = await device(user(), "phone");
    await addNote(a, "Trip");
    await openNote(a, "Trip");
    // The database worker busy for seconds, so the save asked for below waits behind it, and the
    // page closes (its worker with it) before the save can land.
    void a.evaluate(() => window.cobrain.sql("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000000) SELECT count(*) FROM c")).catch(() => undefined);
    await a.getByLabel("Body").fill("typed as the page closed");
    await a.getByLabel("Title", { exact: true }).focus(); // blur asks for the save at once
    expect(await keptCopies(a)).toEqual([]); // nothing kept while the page is open and shown
    await a.close({ runBeforeUnload: true });

    const b = await context.newPage();
    await openApp(b, baseUrl);
    const banner = b.getByRole("alert").filter({ hasText: "Your last changes" });
    await expect.poll(() => banner.textContent(), { timeout: 15_000 }).toMatch(/Your last changes to “Trip” may not have been saved before the app closed/);
    expect(await bodyOf(b, "Trip")).toBe("");
    await banner.getByRole("button", { name: "Open them" }).click();
    await expect.poll(() => b.getByLabel("Body").inputValue(), { timeout: 10_000 }).toBe("typed as the page closed");
    await expect.poll(() => bodyOf(b, "Trip")).toBe("typed as the page closed");
    await expect.poll(() => keptCopies(b)).toEqual([]);
  });
  it("a page closed while its save waits, opened again at the note's own address: the editor has the typing back at once and saves it", async () => {
    const { page: a, context } = await device(user(), "phone");
    await addNote(a, "Plans");
    await openNote(a, "Plans");
    const noteUrl = a.url();
    void a.evaluate(() => window.cobrain.sql("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000000) SELECT count(*) FROM c")).catch(() => undefined);
    await a.getByLabel("Body").fill("typed on the note's own page");
    await a.getByLabel("Title", { exact: true }).focus();
    await a.close({ runBeforeUnload: true });

    const b = await context.newPage();
    await openApp(b, noteUrl); // as a restored tab or a bookmark would
    await expect.poll(() => b.getByLabel("Body").inputValue(), { timeout: 15_000 }).toBe("typed on the note's own page");
    await expect.poll(() => bodyOf(b, "Plans")).toBe("typed on the note's own page");
    await expect.poll(() => keptCopies(b)).toEqual([]);
    expect(await b.getByRole("alert").filter({ hasText: "Your last changes" }).count()).toBe(0);
  });
});
