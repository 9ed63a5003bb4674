/** The app a person lives in, end to end in Chromium against the real local Worker. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { ROOT } from "../scripts/lib/localServer.ts";
import { addNote, confirmImport, expectTitles, noteTitles, openApp, openNote, showNotes, signedInDevice, sql, waitForNote } from "./app";
import { browserSession } from "./session";

const baseUrl = inject("baseUrl");
const authSecret = inject("authSecret");
const SHOTS = join(ROOT, "e2e", "screenshots");

describe("the CoBrain app", () => {
  const session = browserSession();

  async function page(viewport = { width: 1280, height: 800 }): Promise<Page> {
    const context = await session.context({ viewport, acceptDownloads: true });
    const p = await context.newPage();
    p.on("dialog", (d) => void d.accept());
    await openApp(p, baseUrl);
    return p;
  }
  const tab = (p: Page, name: string) => p.getByRole("navigation", { name: "Sections" }).getByRole("button", { name, exact: true }).click();
  const editorButton = (p: Page, name: string) => p.getByRole("region", { name: "Note editor" }).getByRole("button", { name, exact: true }).click();

  it("pins, archives, trashes, restores and empties the trash", async () => {
    const p = await page();
    await addNote(p, "first");
    await addNote(p, "second");
    await openNote(p, "first");
    await editorButton(p, "Pin");
    await expect.poll(() => noteTitles(p)).toEqual(["first", "second"]);
    await openNote(p, "second");
    await editorButton(p, "Archive");
    await expect.poll(() => noteTitles(p)).toEqual(["first"]);
    await tab(p, "Archive");
    await expectTitles(p, ["second"]);
    await showNotes(p);
    await openNote(p, "first");
    await editorButton(p, "Move to trash");
    await tab(p, "Trash");
    await expectTitles(p, ["first"]);
    await openNote(p, "first");
    await editorButton(p, "Restore");
    await expect.poll(() => noteTitles(p)).toEqual([]);
    await showNotes(p);
    await expectTitles(p, ["first"]);
    await openNote(p, "first");
    await editorButton(p, "Move to trash");
    await tab(p, "Trash");
    await p.getByRole("button", { name: "Empty trash" }).click();
    await p.getByText("The trash is empty.").waitFor();
    expect(await sql(p, "SELECT title FROM notes")).toEqual([["second"]]);
  });

  it("autosaves every keystroke, even when the page is reloaded right after typing", async () => {
    const p = await page();
    await addNote(p, "draft");
    await openNote(p, "draft");
    await p.getByLabel("Body").pressSequentially("typed just before reload", { delay: 5 });
    await p.reload();
    await openApp(p, baseUrl);
    await expect.poll(() => sql(p, "SELECT body FROM notes WHERE title = 'draft'"), { timeout: 10_000 }).toEqual([["typed just before reload"]]);
  });

  it("searches as you type with highlighted matches, following edits", async () => {
    const p = await page();
    await addNote(p, "Trip to Tokyo");
    await addNote(p, "Groceries");
    await openNote(p, "Groceries");
    await p.getByLabel("Body").fill("tofu and tomatoes");
    await p.getByLabel("Search notes").fill("tok");
    await expect.poll(() => p.locator(".search-results mark").allTextContents()).toEqual(["Tokyo"]);
    await p.getByLabel("Search notes").fill("tom");
    await expect.poll(() => p.locator(".search-results mark").allTextContents()).toEqual(["tomatoes"]);
    await p.getByLabel("Body").fill("only tofu now");
    await expect.poll(() => p.locator(".search-results .note").count()).toBe(0);
    await p.screenshot({ path: join(SHOTS, "desktop-search.png") });
  });

  it("turns #tags, @people and [[links]] into entities with pages and backlinks", async () => {
    const p = await page();
    await addNote(p, "Packing list");
    await addNote(p, "Trip");
    await openNote(p, "Trip");
    await p.getByLabel("Body").fill("Flight with @anna, see [[Packing list]] #travel");
    await expect.poll(() => p.locator(".chips .chip").allTextContents()).toEqual(["→ Packing list", "@anna", "#travel"]);
    await p.locator(".chip", { hasText: "#travel" }).click();
    await expect.poll(() => p.locator(".entity-title").textContent()).toBe("#travel");
    await expectTitles(p, ["Trip"]);
    await showNotes(p);
    await openNote(p, "Packing list");
    await expect.poll(() => p.getByRole("list", { name: "Backlinks" }).textContent()).toBe("Trip");
  });

  it("reminds: a due reminder alerts while open, shows in the list, and is done or undone", async () => {
    const p = await page();
    await addNote(p, "Call the bank");
    await openNote(p, "Call the bank");
    const due = new Date(Date.now() - 60_000 - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await p.getByLabel("Remind me at").fill(due);
    await editorButton(p, "Add reminder");
    await p.getByText("Reminder: Call the bank").waitFor({ timeout: 45_000 });
    await tab(p, "Reminders");
    await expect.poll(() => p.getByRole("list", { name: "Upcoming reminders" }).textContent()).toMatch(/Call the bank.*due/);
    await p.getByRole("list", { name: "Upcoming reminders" }).getByRole("button", { name: "Done" }).click();
    await p.getByText("No reminders. Add one from a note.").waitFor();
    await p.getByRole("list", { name: "Reminders of this note" }).getByRole("button", { name: "Undo" }).click();
    await expect.poll(() => p.getByRole("list", { name: "Upcoming reminders" }).count()).toBe(1);
  });

  it("saves a view, and its dated snapshots stay readable", async () => {
    const p = await page();
    await addNote(p, "Kyoto");
    await openNote(p, "Kyoto");
    await p.getByLabel("Body").fill("temples #travel");
    await addNote(p, "Taxes");
    await tab(p, "Views");
    await p.getByLabel("View name").fill("Travel");
    await p.getByRole("checkbox", { name: "#travel" }).check();
    await p.getByRole("button", { name: "Save view" }).click();
    const viewRows = p.getByRole("list", { name: "Notes in this view" });
    await expect.poll(async () => [await viewRows.locator(".note-title").allTextContents(), await viewRows.locator(".note-snippet").allTextContents()]).toEqual([["Kyoto"], ["temples #travel"]]);
    await p.getByRole("button", { name: "Save snapshot" }).click();
    await p.getByRole("list", { name: "Snapshots" }).getByRole("button").first().click();
    await expect.poll(() => p.getByRole("list", { name: "Snapshot contents" }).textContent()).toBe("Kyoto");
    await p.getByLabel("View name").fill("Taxes only");
    await p.getByLabel("Containing words").fill("tax");
    await p.getByRole("button", { name: "Save view" }).click();
    await expect.poll(() => viewRows.locator(".note-title").allTextContents()).toEqual(["Taxes"]);
  });

  it("exports a backup and Markdown, and importing them on a wiped device restores everything", async () => {
    const p = await page();
    await addNote(p, "Keep me");
    await openNote(p, "Keep me");
    await p.getByLabel("Body").fill("with #tag and a reminder");
    await p.getByLabel("Remind me at").fill("2030-01-01T09:00");
    await editorButton(p, "Add reminder");
    await addNote(p, "Pinned one");
    await openNote(p, "Pinned one");
    await editorButton(p, "Pin");
    await tab(p, "Settings");
    const [json] = await Promise.all([p.waitForEvent("download"), p.getByRole("button", { name: "Export full backup (JSON)" }).click()]);
    const [zip] = await Promise.all([p.waitForEvent("download"), p.getByRole("button", { name: "Export notes as Markdown (zip)" }).click()]);
    const jsonPath = join(ROOT, ".tmp", json.suggestedFilename());
    const zipPath = join(ROOT, ".tmp", zip.suggestedFilename());
    await json.saveAs(jsonPath);
    await zip.saveAs(zipPath);
    expect(JSON.parse(readFileSync(jsonPath, "utf8")).tables.reminders).toHaveLength(1);
    const snapshot = "SELECT n.title, n.body, n.pinned, (SELECT count(*) FROM reminders r WHERE r.note_id = n.id), (SELECT group_concat(e.name) FROM note_entities ne JOIN entities e ON e.id = ne.entity_id WHERE ne.note_id = n.id) FROM notes n ORDER BY n.title";
    const original = await sql(p, snapshot);

    const wiped = await page();
    await tab(wiped, "Settings");
    await wiped.getByLabel(/^Import notes/).setInputFiles(jsonPath);
    await confirmImport(wiped);
    await wiped.getByText("Imported 2 notes.").waitFor();
    expect(await sql(wiped, snapshot)).toEqual(original);

    const fromZip = await page();
    await tab(fromZip, "Settings");
    await fromZip.getByLabel(/^Import notes/).setInputFiles(zipPath);
    await confirmImport(fromZip);
    await fromZip.getByText("Imported 2 notes.").waitFor();
    expect(await sql(fromZip, "SELECT title, body, pinned FROM notes ORDER BY title")).toEqual(original.map((r) => r.slice(0, 3)));
  });

  it("a file chosen on the list's Import as Settings opens is still asked about there, and imported", async () => {
    const p = await page();
    const file = join(ROOT, ".tmp", `import-across-screens-${Date.now()}.json`);
    writeFileSync(file, JSON.stringify([{ title: "Carried over", body: "chosen on the list" }]));
    // The list's Import, then at once another screen: the button that took the file goes away.
    await p.getByLabel(/^Import notes/).setInputFiles(file);
    await tab(p, "Settings");
    const settings = p.getByRole("region", { name: "Settings" });
    await settings.getByRole("dialog", { name: /^Import / }).waitFor({ timeout: 15_000 });
    await settings.getByRole("dialog").getByRole("button", { name: "Import", exact: true }).click();
    await settings.getByText("Imported 1 note.").waitFor();
    expect(await sql(p, "SELECT title, body FROM notes")).toEqual([["Carried over", "chosen on the list"]]);
  });

  it("an import shows what it will do and asks; an older copy never replaces newer work; a newer one keeps the replaced text in History", async () => {
    const body = async (p: Page, title: string) => (await sql(p, "SELECT body FROM notes WHERE title = ?", [title]))[0]?.[0];
    const write = async (p: Page, title: string, text: string) => {
      await openNote(p, title);
      await p.getByLabel("Body").fill(text);
      await p.getByLabel("Title", { exact: true }).focus();
      await expect.poll(() => body(p, title)).toBe(text);
    };
    const exportZip = async (p: Page, name: string) => {
      await tab(p, "Settings");
      const [zip] = await Promise.all([p.waitForEvent("download"), p.getByRole("button", { name: "Export notes as Markdown (zip)" }).click()]);
      const path = join(ROOT, ".tmp", `${name}-${Date.now()}.zip`);
      await zip.saveAs(path);
      return path;
    };
    const choose = async (p: Page, path: string) => {
      await tab(p, "Settings");
      await p.getByLabel(/^Import notes/).setInputFiles(path);
      const preview = p.getByRole("dialog", { name: /^Import / });
      // A refusal names its reason: wait for either, so a failure says which it was.
      const status = p.locator(".import [role=status]");
      await preview
        .or(status.filter({ hasText: /^Nothing imported/ }))
        .first()
        .waitFor()
        .catch(async (error: Error) => {
          // Say what the screen showed instead: the status line, and whether the pane was there at all.
          const input = await p.getByLabel(/^Import notes/).count();
          throw new Error(`${error.message}\nimport status: ${JSON.stringify(await status.allTextContents())}; file inputs: ${input}; url: ${p.url()}`);
        });
      expect(await preview.isVisible(), `no preview; the import said: ${await status.allTextContents()}`).toBe(true);
      return preview;
    };
    const version = async (p: Page) => sql(p, "SELECT crsql_db_version(), (SELECT count(*) FROM notes), (SELECT count(*) FROM note_revisions)");

    // The phone has two notes and exports them; then "Plan" is edited: the export is now older.
    const phone = await page();
    await addNote(phone, "Plan");
    await write(phone, "Plan", "first draft");
    await addNote(phone, "Other");
    const older = await exportZip(phone, "older");
    await showNotes(phone);
    await write(phone, "Plan", "second draft");

    // Importing the older export: the preview says Plan is skipped; Cancel writes nothing.
    const before = await version(phone);
    let preview = await choose(phone, older);
    const text = (await preview.textContent())!;
    expect(text).toMatch(/Skipped \(this device has a newer version\): 1 note\s*Plan/);
    expect(text).toMatch(/Already the same on this device: 1 note/);
    expect(text).not.toMatch(/New:|Updated/);
    await preview.getByRole("button", { name: "Cancel" }).click();
    await phone.getByText("Import cancelled; nothing was written.").waitFor();
    expect(await version(phone)).toEqual(before);

    // Confirmed, it still keeps the newer text, and nothing is lost.
    preview = await choose(phone, older);
    await preview.getByRole("button", { name: "Import", exact: true }).click();
    await phone.getByText("Imported 0 notes.").waitFor();
    expect(await sql(phone, "SELECT title, body FROM notes ORDER BY title")).toEqual([["Other", ""], ["Plan", "second draft"]]);
    expect(await sql(phone, "SELECT count(*) FROM note_revisions WHERE kind = 'import'")).toEqual([[0]]);

    // A laptop (a separate browser, not synced) takes the older export and writes later: its copy is newer.
    const laptop = await page();
    await choose(laptop, older);
    await confirmImport(laptop);
    await laptop.getByText("Imported 2 notes.").waitFor();
    await showNotes(laptop);
    await write(laptop, "Plan", "third draft, from the laptop");
    const newer = await exportZip(laptop, "newer");

    preview = await choose(phone, newer);
    expect(await preview.textContent()).toMatch(/Updated \(the file's copy is newer; this device's text is kept in the note's history\): 1 note\s*Plan/);
    await preview.getByRole("button", { name: "Import", exact: true }).click();
    await phone.getByText("Imported 1 note.").waitFor();
    expect(await body(phone, "Plan")).toBe("third draft, from the laptop");
    expect(await sql(phone, "SELECT n.title, r.body FROM note_revisions r JOIN notes n ON n.id = r.note_id WHERE r.kind = 'import'")).toEqual([["Plan", "second draft"]]);
    // And the person finds it in the note's History.
    await showNotes(phone);
    await openNote(phone, "Plan");
    await phone.getByRole("button", { name: "History" }).click();
    await phone.locator(".history-list button", { hasText: "Before an import" }).click();
    await expect.poll(() => phone.locator(".history-text").textContent()).toBe("second draft");
  });

  it("shows storage and persistence, and answers a persistence request either way", async () => {
    const p = await page();
    await tab(p, "Settings");
    await expect.poll(() => p.getByRole("region", { name: "Settings" }).textContent()).toMatch(/private file system \(OPFS\)/);
    await p.getByRole("button", { name: "Ask the browser to keep my notes" }).click();
    await expect.poll(() => p.locator("[data-persist-state]").getAttribute("data-persist-state")).toMatch(/^(persisted|refused)$/);
  });

  it("keyboard: n starts a note, / searches, Escape closes the note", async () => {
    const p = await page();
    await p.keyboard.press("n");
    await expect.poll(() => p.evaluate(() => document.activeElement?.id)).toBe("note-title");
    await p.keyboard.type("Made from the keyboard");
    await p.keyboard.press("Escape");
    await p.locator("body").click({ position: { x: 5, y: 300 } });
    await p.keyboard.press("/");
    await expect.poll(() => p.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Search notes");
    await waitForNote(p, "Made from the keyboard");
  });

  it("writes screenshots of the main screens at phone and desktop sizes, none wider than the screen", async () => {
    // A phone never scrolls sideways: each screen's content fits the viewport's width.
    const fitsWidth = (p: Page) => p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    for (const [name, viewport] of [["phone", { width: 390, height: 844 }], ["desktop", { width: 1280, height: 800 }]] as const) {
      const p = await page(viewport);
      await signedInDevice(p, baseUrl, authSecret, `shots-${name}-${Date.now()}`, name);
      // The account's first device shows its recovery phrase until it is noted: noted, so the screenshots show the screens.
      const noted = p.getByRole("button", { name: "I have written it down" });
      await noted.click();
      await noted.waitFor({ state: "detached" });
      for (const title of ["Welcome to CoBrain", "Trip to Kyoto", "Reading list"]) await addNote(p, title);
      await p.screenshot({ path: join(SHOTS, `${name}-notes.png`) });
      expect(await fitsWidth(p), `${name} notes list fits the width`).toBe(true);
      // Nor does the page scroll up and down around the list: the list's scroller ends on the screen.
      const fitsHeight = () =>
        p.evaluate(() => {
          const scroller = document.querySelector(".note-scroller")!.getBoundingClientRect();
          return { pageScrolls: document.documentElement.scrollHeight > window.innerHeight, scrollerBelowScreen: Math.round(scroller.bottom - window.innerHeight) > 0 };
        });
      await expect.poll(fitsHeight, { message: `${name} notes list fits the height` }).toEqual({ pageScrolls: false, scrollerBelowScreen: false });
      await openNote(p, "Trip to Kyoto");
      await p.getByLabel("Body").fill("Temples with @anna #travel, see [[Reading list]]");
      await expect.poll(() => p.locator(".chips .chip").count()).toBe(3);
      await p.screenshot({ path: join(SHOTS, `${name}-editor.png`) });
      expect(await fitsWidth(p), `${name} editor fits the width`).toBe(true);
      await p.getByLabel("Body").fill(
        "## Plan\n\nTemples with @anna #travel, see [[Reading list]].\n\n- [x] Book the ryokan\n- [ ] Rail pass\n\n| day | where |\n|---|---|\n| 1 | Fushimi Inari |\n| 2 | Arashiyama |\n\n> Go early, before the crowds.",
      );
      await p.getByRole("group", { name: "Edit or read" }).getByRole("button", { name: "Read" }).click();
      await p.getByRole("article", { name: "Rendered note" }).locator("table").waitFor();
      await p.screenshot({ path: join(SHOTS, `${name}-markdown.png`) });
      expect(await fitsWidth(p), `${name} Markdown read view fits the width`).toBe(true);
      await tab(p, "Settings");
      await p.screenshot({ path: join(SHOTS, `${name}-settings.png`), fullPage: true });
      const widest = await p.evaluate(() => [...document.querySelectorAll("*")].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1).map((e) => `${e.tagName}.${e.className}`).slice(0, 8).join(" "));
      expect(await fitsWidth(p), `${name} settings fit the width (${widest})`).toBe(true);
    }
  });
});
