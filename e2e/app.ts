/** Page helpers for the minimal notes screen. */
import { expect } from "vitest";
import type { Page } from "playwright-core";

export async function openApp(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForSelector(".app[data-storage], .banner-error", { timeout: 30_000 });
}

export async function addNote(page: Page, title: string): Promise<void> {
  await page.getByLabel("New note").fill(title);
  await page.getByRole("button", { name: "Add note" }).click();
  await waitForNote(page, title);
}

export async function waitForNote(page: Page, title: string, timeout = 10_000): Promise<void> {
  await page.locator(".note-title", { hasText: title }).first().waitFor({ timeout });
}

export async function noteTitles(page: Page): Promise<string[]> {
  return page.locator(".note-title").allTextContents();
}

export async function storageOf(page: Page): Promise<string | null> {
  return page.locator(".app").getAttribute("data-storage");
}

export async function expectTitles(page: Page, titles: string[]): Promise<void> {
  expect((await noteTitles(page)).sort()).toEqual([...titles].sort());
}
