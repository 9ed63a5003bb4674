/**
 * Languages (issue 15 item 6): the app speaks the browser's language at first open (German in a
 * de-DE browser), switches in Settings at once and keeps the choice after a reload, and writes
 * dates and numbers the way the chosen language does.
 */
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { openApp } from "./app";
import { browserSession } from "./session";

const baseUrl = inject("baseUrl");
/** Enough notes for a grouped count ("1.200" against "1,200"), few enough to import quickly. */
const IMPORTED = 1200;
/** A reminder far enough ahead to stay in the list; fixed so both formats can be compared. */
const DUE_LOCAL = "2030-03-04T17:05";

const lang = (p: Page) => p.evaluate(() => document.documentElement.lang);
const section = (p: Page, name: string) => p.getByRole("navigation").getByRole("button", { name, exact: true });

describe("languages", () => {
  const session = browserSession();

  it("opens in German in a German browser, switches to English at once in Settings, and keeps English after a reload", async () => {
    const context = await session.context({ locale: "de-DE" });
    const p = await context.newPage();
    await openApp(p, baseUrl);

    // (a) German from the browser's language, before anything was chosen.
    await section(p, "Notizen").waitFor();
    expect(await lang(p)).toBe("de");
    for (const name of ["Archiv", "Papierkorb", "Erinnerungen", "Ansichten", "Einstellungen"]) await section(p, name).waitFor();
    await p.getByText("Noch keine Notizen. Schreiben Sie oben Ihre erste.").waitFor();
    await p.getByLabel("Neue Notiz").waitFor();
    expect(await p.getByRole("button", { name: "Notes", exact: true }).count()).toBe(0);

    // (b) Settings → Sprache → English: every text changes at once, without a reload.
    await section(p, "Einstellungen").click();
    const picker = p.getByRole("combobox", { name: "Sprache" });
    expect(await picker.inputValue()).toBe("de");
    const before = await p.evaluate(() => performance.getEntriesByType("navigation").length + ":" + performance.timeOrigin);
    await picker.selectOption("en");
    await section(p, "Settings").waitFor();
    await section(p, "Notes").waitFor();
    await p.getByRole("heading", { name: "Export and import" }).waitFor();
    expect(await lang(p)).toBe("en");
    expect(await p.evaluate(() => performance.getEntriesByType("navigation").length + ":" + performance.timeOrigin)).toBe(before); // no reload
    expect(await p.getByRole("combobox", { name: "Language" }).inputValue()).toBe("en");

    // Remembered on this device: a reload in the same German browser stays English.
    await p.reload();
    await p.waitForSelector(".app[data-storage]");
    await section(p, "Notes").waitFor();
    expect(await lang(p)).toBe("en");
    expect(await section(p, "Einstellungen").count()).toBe(0);
  });

  it("writes dates, counts and relative times the way the chosen language does", async () => {
    const context = await session.context({ locale: "de-DE" });
    const p = await context.newPage();
    await openApp(p, baseUrl);
    await section(p, "Notizen").waitFor();

    // A count: the import's message, grouped and in the plural, in German.
    const notes = Array.from({ length: IMPORTED }, (_, i) => ({ title: `Notiz ${i}`, body: "Text" }));
    await p.locator('input[type="file"]').first().setInputFiles({ name: "notes.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(notes)) });
    const dialog = p.getByRole("dialog", { name: "notes.json importieren?" });
    await dialog.getByText(`Neu: 1.200 Notizen`).waitFor({ timeout: 60_000 });
    await dialog.getByRole("button", { name: "Importieren", exact: true }).click();
    await p.getByText("1.200 Notizen importiert.").waitFor({ timeout: 120_000 });

    // A relative time in the list (Intl.RelativeTimeFormat in German): "jetzt", "vor 1 Minute".
    const firstTime = p.locator(".note-time").first();
    expect(await firstTime.textContent()).toMatch(/^(jetzt|vor \d+ \p{L}+)$/u);

    // A date: a reminder's due time, as the browser writes it in German.
    await p.locator(".note-open").first().click();
    await p.getByLabel("Erinnere mich am").first().fill(DUE_LOCAL);
    await p.getByRole("button", { name: "Erinnerung hinzufügen" }).click();
    const due = p.getByRole("list", { name: "Erinnerungen dieser Notiz" }).locator("time");
    await due.waitFor();
    const german = await p.evaluate((at) => new Date(at).toLocaleString("de-DE"), DUE_LOCAL);
    expect(german).toMatch(/^4\.3\.2030/);
    expect(await due.textContent()).toBe(german);

    // The same, in English after switching: the date, the relative time, and a new count.
    await section(p, "Einstellungen").click();
    await p.getByRole("combobox", { name: "Sprache" }).selectOption("en");
    await section(p, "Notes").click();
    await expect.poll(() => firstTime.textContent()).toMatch(/^(now|\d+ \w+ ago)$/);
    await p.locator(".note-open").first().click();
    const english = await p.evaluate((at) => new Date(at).toLocaleString("en-US"), DUE_LOCAL);
    expect(english).toMatch(/^3\/4\/2030/);
    await expect.poll(() => p.getByRole("list", { name: "Reminders of this note" }).locator("time").textContent()).toBe(english);
    await p.locator('input[type="file"]').first().setInputFiles({ name: "more.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(notes)) });
    const preview = p.getByRole("dialog", { name: "Import more.json?" });
    await preview.getByText("New: 1,200 notes").waitFor({ timeout: 60_000 });
    await preview.getByRole("button", { name: "Cancel" }).click();
  });
});
