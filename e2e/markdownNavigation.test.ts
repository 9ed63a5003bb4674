/** Markdown read view and URLs, end to end in Chromium against the real local Worker. */
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { mintToken } from "../worker/auth";
import { addNote, openApp, openNote, handAccountKey, signedInDevice, sql, waitForNote } from "./app";
import { browserSession } from "./session";

const baseUrl = inject("baseUrl");
const authSecret = inject("authSecret");

describe("Markdown and navigation with URLs", () => {
  const session = browserSession();

  async function page(viewport = { width: 390, height: 844 }): Promise<Page> {
    const context = await session.context({ viewport });
    const p = await context.newPage();
    await openApp(p, baseUrl);
    return p;
  }
  const path = (p: Page) => new URL(p.url()).pathname;
  const noteId = async (p: Page, title: string) => String((await sql(p, "SELECT id FROM notes WHERE title = ?", [title]))[0]![0]);
  const body = async (p: Page, title: string) => (await sql(p, "SELECT body FROM notes WHERE title = ?", [title]))[0]?.[0];
  const read = (p: Page) => p.getByRole("group", { name: "Edit or read" }).getByRole("button", { name: "Read" }).click();
  const rendered = (p: Page) => p.getByRole("article", { name: "Rendered note" });
  const titleShown = (p: Page) => p.getByLabel("Title", { exact: true }).inputValue().catch(() => undefined);

  it("the read view renders a table and a task list, and ticking a task edits the note's text on the device", async () => {
    const p = await page();
    await addNote(p, "Groceries");
    await openNote(p, "Groceries");
    const text = "## Shop\n\n| item | qty |\n|---|---|\n| tofu | 2 |\n\n- [ ] milk\n- [ ] milk\n- [x] bread\n\n<img src=x onerror=alert(1)>";
    await p.getByLabel("Body").fill(text);
    await expect.poll(() => body(p, "Groceries")).toBe(text);
    await read(p);
    await expect.poll(() => rendered(p).locator("table td").allTextContents()).toEqual(["tofu", "2"]);
    expect(await rendered(p).locator("h2").textContent()).toBe("Shop");
    expect(await rendered(p).locator("img").count()).toBe(0); // raw HTML shows as text
    const boxes = rendered(p).getByRole("checkbox");
    expect(await boxes.count()).toBe(3);
    // The second "milk", not the first: the box knows its own line.
    await boxes.nth(1).click();
    await expect.poll(() => body(p, "Groceries")).toBe(text.replace("- [ ] milk\n- [ ] milk", "- [ ] milk\n- [x] milk"));
    await expect.poll(() => Promise.all([0, 1, 2].map((i) => boxes.nth(i).isChecked()))).toEqual([false, true, true]);
    await boxes.nth(2).click();
    await expect.poll(() => body(p, "Groceries")).toBe(text.replace("- [ ] milk\n- [ ] milk\n- [x] bread", "- [ ] milk\n- [x] milk\n- [ ] bread"));
    // The choice is remembered: the next note opens in the read view too, until Edit is chosen.
    await p.goBack();
    await addNote(p, "Second");
    await openNote(p, "Second");
    await rendered(p).waitFor();
    await p.getByRole("group", { name: "Edit or read" }).getByRole("button", { name: "Edit" }).click();
    await p.getByLabel("Body").waitFor();
  });

  it("[[a note]] opens it, [[a missing one]] offers to create it, #tag and @person open their pages", async () => {
    const p = await page();
    await addNote(p, "Packing list");
    await addNote(p, "Trip");
    await openNote(p, "Trip");
    await p.getByLabel("Body").fill("See [[Packing list]] and [[Visa forms]] with @anna #travel");
    await read(p);
    await rendered(p).getByRole("link", { name: "Packing list" }).click();
    await expect.poll(() => titleShown(p)).toBe("Packing list");
    expect(path(p)).toBe(`/notes/${await noteId(p, "Packing list")}`);
    await p.goBack();
    await expect.poll(() => titleShown(p)).toBe("Trip");

    await rendered(p).getByRole("link", { name: "Visa forms" }).click();
    await p.getByText("No note is called “Visa forms” on this device yet.").waitFor();
    expect(path(p)).toBe("/link/Visa%20forms");
    await p.getByRole("button", { name: "Create “Visa forms”" }).click();
    await expect.poll(() => titleShown(p)).toBe("Visa forms");
    expect(await sql(p, "SELECT count(*) FROM notes WHERE title = 'Visa forms'")).toEqual([[1]]);
    expect(path(p)).toBe(`/notes/${await noteId(p, "Visa forms")}`);
    await p.goBack(); // the link's entry became the new note's: back is the note that linked to it
    await expect.poll(() => titleShown(p)).toBe("Trip");

    await rendered(p).getByRole("link", { name: "#travel" }).click();
    await expect.poll(() => p.locator(".entity-title").textContent()).toBe("#travel");
    expect(path(p)).toBe("/tag/travel");
    await p.goBack();
    await expect.poll(() => titleShown(p)).toBe("Trip");
    await rendered(p).getByRole("link", { name: "@anna" }).click();
    await expect.poll(() => path(p)).toBe("/person/anna");
    await expect.poll(() => p.locator(".entity-title").textContent()).toBe("@anna");
    expect(path(p)).toBe("/person/anna");
  });

  it("the back button from an open note returns to the list, and from a deep link too, never leaving the app", async () => {
    const p = await page();
    await addNote(p, "Kyoto");
    await p.getByRole("navigation", { name: "Sections" }).getByRole("button", { name: "Archive", exact: true }).click();
    expect(path(p)).toBe("/archive");
    await p.getByRole("navigation", { name: "Sections" }).getByRole("button", { name: "Notes", exact: true }).click();
    await openNote(p, "Kyoto");
    const id = await noteId(p, "Kyoto");
    expect(path(p)).toBe(`/notes/${id}`);
    await p.goBack();
    expect(path(p)).toBe("/notes");
    await expect.poll(() => p.getByRole("region", { name: "Note editor" }).count()).toBe(0);
    await waitForNote(p, "Kyoto");
    // The editor's ← goes back in history too: the phone's back then does not reopen the note.
    await openNote(p, "Kyoto");
    await p.getByRole("button", { name: "Back to notes" }).click();
    await expect.poll(() => path(p)).toBe("/notes");
    await p.goForward();
    await expect.poll(() => titleShown(p)).toBe("Kyoto");

    // A link to the note opened in a new tab: back lands on the list, inside the app.
    const deep = await p.context().newPage();
    await openApp(deep, `${baseUrl}/notes/${id}`);
    await expect.poll(() => titleShown(deep)).toBe("Kyoto");
    await deep.goBack();
    expect(deep.url()).toBe(`${baseUrl}/notes`);
    await waitForNote(deep, "Kyoto");
  });

  it("a reload on /notes/:id reopens the note with no network (the service worker serves the app for every route)", async () => {
    const p = await page({ width: 1280, height: 800 }); // wide: the list it was left on shows beside it
    await p.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await addNote(p, "Offline note");
    await openNote(p, "Offline note");
    await p.getByRole("navigation", { name: "Sections" }).getByRole("button", { name: "Trash", exact: true }).click();
    await p.reload(); // now controlled by the service worker
    await p.waitForSelector(".app[data-storage]", { timeout: 30_000 });
    await expect.poll(() => titleShown(p)).toBe("Offline note");
    await p.context().setOffline(true);
    await p.reload();
    await p.waitForSelector(".app[data-storage]", { timeout: 30_000 });
    await expect.poll(() => titleShown(p)).toBe("Offline note");
    expect(await p.locator(".app").getAttribute("data-storage")).toBe("opfs");
    // The list beside it is still the one it was left on (kept in the history entry).
    expect(await p.getByRole("navigation", { name: "Sections" }).getByRole("button", { name: "Trash", exact: true }).getAttribute("aria-current")).toBe("page");
    await p.goto(`${baseUrl}/tag/nothing-here`);
    await expect.poll(() => p.locator(".entity-title, .list-pane .muted").first().textContent()).toMatch(/no longer exists|Loading/);
  });

  it("a deep link to a note this device does not have yet says so, and opens it when sync brings it (a sign-in link on that route works)", async () => {
    const user = `deep-${Date.now()}`;
    const a = await page({ width: 1280, height: 800 });
    await signedInDevice(a, baseUrl, authSecret, user, "a");
    await addNote(a, "Arrives later");
    const id = await noteId(a, "Arrives later");

    const context = await session.context({ viewport: { width: 390, height: 844 } });
    const b = await context.newPage();
    const token = await mintToken(authSecret, { userId: user, deviceId: "b" });
    await b.goto(`${baseUrl}/notes/${id}#token=${token}`);
    await b.getByText("This note is not on this device yet — it will open when sync brings it.").waitFor({ timeout: 30_000 });
    expect(new URL(b.url()).hash).toBe(""); // the token left the address bar at once
    // Notes are encrypted end to end: a new device is handed the account key (as a QR link would).
    const key = await a.evaluate(() => window.cobrain.client.exportAccountKey());
    if (!key) throw new Error("device a has no account key");
    await handAccountKey(b, key);
    await b.getByRole("dialog").getByRole("button", { name: /^Sign in as / }).click();
    await expect.poll(() => titleShown(b), { timeout: 30_000 }).toBe("Arrives later");
    expect(path(b)).toBe(`/notes/${id}`);
    await b.goBack();
    expect(path(b)).toBe("/notes");
  });
});
