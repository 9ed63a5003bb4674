/**
 * No edit is ever lost, as two people with two devices of one user would find it: separate
 * Chromium contexts against the real local Worker, each device's database checked, not only the screen.
 */
import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { addNote, notesSnapshot, openNote, signedInDevice, sql, waitForSync } from "./app";
import { browserSession } from "./session";

const baseUrl = inject("baseUrl");
const authSecret = inject("authSecret");

describe("no edit is ever lost", () => {
  const session = browserSession();
  const user = () => `u-${Math.random().toString(36).slice(2, 10)}`;

  async function device(userId: string, deviceId: string): Promise<{ page: Page; context: BrowserContext }> {
    const context = await session.context();
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
    await expect.poll(() => body.inputValue(), { timeout: 5_000 }).toContain("From the laptop.");
    // The caret stayed where A left it (end of the first paragraph), and typing keeps B's paragraph.
    await a.keyboard.type(" More");
    await expect.poll(() => body.inputValue()).toBe("First paragraph. More\n\nFrom the laptop.");
    await a.getByLabel("Title", { exact: true }).focus();
    await expect.poll(() => bodyOf(b, "Focus"), { timeout: 10_000 }).toBe("First paragraph. More\n\nFrom the laptop.");
    expect(await bodyOf(a, "Focus")).toBe("First paragraph. More\n\nFrom the laptop.");
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
});
