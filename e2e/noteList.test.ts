/** The list people scan (issue 15): 10,000 notes with no cap, rows with snippet and time, sorting. */
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { addNote, openApp, openNote, sql } from "./app";
import { browserSession } from "./session";
import { ESTIMATED_ROW_PX, ROW_GAP_PX } from "../web/src/list/rowSize";

const baseUrl = inject("baseUrl");
const NOTES = 10_000;
/** Any number coprime with NOTES: edit times are a permutation of the titles' order. */
const STRIDE = 7_919;
const HOUR = 3_600_000;

describe("the note list", () => {
  const session = browserSession();

  async function page(viewport = { width: 390, height: 844 }): Promise<Page> {
    const context = await session.context({ viewport });
    const p = await context.newPage();
    await openApp(p, baseUrl);
    return p;
  }
  const scroller = (p: Page) => p.locator(".note-scroller");
  const titles = (p: Page) => scroller(p).locator(".note-title").allTextContents();

  it("shows 10,000 notes with no cap, only a window of them in the page, and scrolls to the last", async () => {
    const p = await page();
    // Note i was edited at base + (i·STRIDE mod NOTES) ms: "Note 10000" is the oldest edit.
    const base = Date.now() - 3 * HOUR - NOTES;
    await sql(
      p,
      `WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ?)
       INSERT INTO notes (id, title, body, created_at, updated_at)
       SELECT printf('n%05d', i), printf('Note %05d', i), printf('# Heading %d' || char(10) || '**bold** and [a link](https://example.com)' || char(10) || '- [ ] task', i), i, ? + (i * ? % ?) FROM c`,
      [NOTES, base, STRIDE, NOTES],
    );
    await expect.poll(() => scroller(p).getAttribute("data-count"), { timeout: 30_000 }).toBe(String(NOTES));
    const rows = await scroller(p).locator("li").count();
    expect(rows).toBeGreaterThan(3);
    expect(rows).toBeLessThan(60);

    // The top row: the latest edit, 3 hours ago, its snippet without Markdown syntax.
    const top = scroller(p).locator("li").first();
    await expect.poll(() => top.locator(".note-time").textContent()).toBe("3 hours ago");
    const snippet = (await top.locator(".note-snippet").textContent()) ?? "";
    expect(snippet).toMatch(/^Heading \d+ bold and a link task$/);
    expect(snippet).not.toMatch(/[#*[\]()]|https:/);

    // To the very end: the last note is there (no cap), and the page still holds only a window.
    await expect
      .poll(
        async () => {
          await scroller(p).evaluate((el) => el.scrollTo(0, el.scrollHeight));
          return titles(p);
        },
        { timeout: 30_000 },
      )
      .toContain("Note 10000");
    expect(await scroller(p).locator("li").count()).toBeLessThan(60);
    expect(await scroller(p).locator(`li[aria-posinset="${NOTES}"]`).getAttribute("aria-setsize")).toBe(String(NOTES));
  });

  it("at a start, the other screens' code is asked for only once the list has drawn its notes", async () => {
    const p = await page();
    for (const title of ["first", "second"]) await addNote(p, title);
    await p.addInitScript({
      content: `new MutationObserver((_, observer) => { if (document.querySelector(".note-title")) { window.__listDrawnAt = performance.now(); observer.disconnect(); } }).observe(document, { subtree: true, childList: true });`,
    });
    await p.reload();
    // The editor's code is asked for by the start's deferred work (App.tsx), not by anything on screen.
    const editorAskedAt = () => p.evaluate(() => performance.getEntriesByType("resource").find((e) => /\/NoteEditor-[^/]*\.js$/.test(e.name))?.startTime ?? null);
    await expect.poll(editorAskedAt, { timeout: 30_000, message: "the editor's code was never asked for" }).not.toBeNull();
    const listDrawnAt = await p.evaluate(() => (window as unknown as { __listDrawnAt?: number }).__listDrawnAt ?? null);
    expect(listDrawnAt, "the list drew no note").not.toBeNull();
    expect(await editorAskedAt(), "asked for (ms) before the list was drawn").toBeGreaterThan(listDrawnAt!);
  });

  it("rows are stacked by their measured size (not the estimate), one gap apart, on screen and after a scroll", async () => {
    const p = await page();
    const pageErrors: string[] = [];
    p.on("pageerror", (error) => pageErrors.push(error.message));
    p.on("console", (message) => void (message.type() === "error" && pageErrors.push(message.text())));
    await sql(
      p,
      `WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 80)
       INSERT INTO notes (id, title, body, created_at, updated_at)
       SELECT printf('h%03d', i), printf('Row %03d', i), 'a line of text', i, i FROM c`,
    );
    await expect.poll(() => scroller(p).getAttribute("data-count"), { timeout: 30_000 }).toBe("80");
    /** Each rendered row's top and bottom, in list order; the gaps between neighbours. */
    const layout = () =>
      scroller(p).evaluate((el) => {
        const rows = [...el.querySelectorAll<HTMLElement>("li[aria-posinset]")]
          .map((li) => ({ at: Number(li.getAttribute("aria-posinset")), box: li.getBoundingClientRect() }))
          .sort((a, b) => a.at - b.at);
        return {
          heights: [...new Set(rows.map((r) => Math.round(r.box.height)))],
          gaps: rows.slice(1).map((r, i) => Math.round(r.box.top - rows[i]!.box.bottom)),
        };
      });
    await expect.poll(async () => new Set((await layout()).gaps), { timeout: 10_000 }).toEqual(new Set([ROW_GAP_PX]));
    // Rows are not as tall as the virtualizer's first estimate: the gaps hold only if each was measured.
    expect((await layout()).heights).not.toContain(ESTIMATED_ROW_PX);
    await scroller(p).evaluate((el) => el.scrollTo(0, el.scrollHeight / 2));
    // The rows of the middle first (the list re-renders a frame after the scroll), then their gaps.
    const rendered = () => scroller(p).evaluate((el) => [...el.querySelectorAll("li[aria-posinset]")].map((li) => Number(li.getAttribute("aria-posinset"))));
    await expect.poll(async () => ((at) => at.includes(40) && !at.includes(1))(await rendered()), { timeout: 10_000 }).toBe(true);
    await expect.poll(async () => new Set((await layout()).gaps), { timeout: 10_000 }).toEqual(new Set([ROW_GAP_PX]));
    expect(pageErrors).toEqual([]); // no "ResizeObserver loop" or other error on the way
  });

  it("a note whose time is no date (from another device, say) is shown, and the list keeps following edits", async () => {
    const p = await page();
    const now = Date.now();
    // 9e15 ms is past the last date JavaScript can hold (8.64e15 ms): `toISOString` throws on it.
    await sql(p, "INSERT INTO notes (id, title, body, pinned, updated_at) VALUES ('far', 'far future', '', 1, 9e15), ('ok', 'plain', '', 0, ?)", [now]);
    await expect.poll(() => titles(p)).toEqual(["far future", "plain"]);
    await sql(p, "UPDATE notes SET title = 'plain, edited' WHERE id = 'ok'");
    await expect.poll(() => titles(p)).toEqual(["far future", "plain, edited"]);
    await sql(p, "UPDATE notes SET title = 'far, edited' WHERE id = 'far'");
    await expect.poll(() => titles(p)).toEqual(["far, edited", "plain, edited"]);
    expect(await p.locator(".list-pane [role=alert]").count()).toBe(0);
    const farTime = scroller(p).locator('li[data-id="far"] time');
    expect(await farTime.getAttribute("datetime")).toBeNull();
    expect(await farTime.getAttribute("title")).toBeNull(); // not "Edited Invalid Date"
    expect(await scroller(p).locator('li[data-id="ok"] time').getAttribute("datetime")).toBe(new Date(now).toISOString());
  });

  it("sorts by title or creation, remembers the order, and marks pinned and conflicted notes", async () => {
    const p = await page();
    const now = Date.now();
    await sql(
      p,
      `INSERT INTO notes (id, title, body, created_at, updated_at) VALUES
       ('b', 'banana', 'yellow', 2, ?), ('a', 'Apple', 'red', 3, ?), ('c', 'cherry', 'dark', 1, ?)`,
      [now - 2 * HOUR, now - HOUR, now - 3 * HOUR],
    );
    await expect.poll(() => titles(p)).toEqual(["Apple", "banana", "cherry"]);
    await p.getByLabel("Sort by").selectOption("title");
    await expect.poll(() => titles(p)).toEqual(["Apple", "banana", "cherry"]);
    await p.getByLabel("Sort by").selectOption("created");
    await expect.poll(() => titles(p)).toEqual(["Apple", "banana", "cherry"]);
    await sql(p, "UPDATE notes SET created_at = 10 WHERE id = 'c'");
    await expect.poll(() => titles(p)).toEqual(["cherry", "Apple", "banana"]);
    await p.getByLabel("Sort by").selectOption("title");
    await sql(p, "UPDATE notes SET title = 'Zucchini' WHERE id = 'a'");
    await expect.poll(() => titles(p)).toEqual(["banana", "cherry", "Zucchini"]);

    await p.reload();
    await expect.poll(() => p.getByLabel("Sort by").inputValue()).toBe("title");
    await expect.poll(() => titles(p)).toEqual(["banana", "cherry", "Zucchini"]);

    await sql(p, "UPDATE notes SET pinned = 1 WHERE id = 'c'");
    await sql(p, "INSERT INTO note_revisions (id, note_id, kind, title, body, created_at) VALUES ('r1', 'b', 'conflict', 'banana', 'green', ?)", [now]);
    await expect.poll(() => titles(p)).toEqual(["cherry", "banana", "Zucchini"]);
    const row = (id: string) => scroller(p).locator(`li[data-id="${id}"]`);
    await expect.poll(() => row("c").getByRole("img", { name: "Pinned" }).count()).toBe(1);
    await expect.poll(() => row("b").locator(".note-versions").textContent()).toBe("2 versions");
    expect(await row("b").getByRole("img", { name: "Pinned" }).count()).toBe(0);

    // Keyboard: arrows and End move between rows.
    await row("c").getByRole("button").focus();
    await p.keyboard.press("ArrowDown");
    await expect.poll(() => p.evaluate(() => document.activeElement?.querySelector(".note-title")?.textContent)).toBe("banana");
    await p.keyboard.press("End");
    await expect.poll(() => p.evaluate(() => document.activeElement?.querySelector(".note-title")?.textContent)).toBe("Zucchini");
  });

  it("a tag's page and a saved view hold more than 500 notes, virtualised, and scroll to the last one", async () => {
    const p = await page();
    const TAGGED = 620; // the tag and view pages used to stop at 500
    const last = `Tagged ${String(TAGGED).padStart(5, "0")}`;
    // One note typed in the app makes the #travel entity (its id is keyed with the account's key).
    await addNote(p, "Tagged 00001");
    await openNote(p, "Tagged 00001");
    await p.getByLabel("Body").fill("#travel");
    await expect.poll(() => sql(p, "SELECT count(*) FROM note_entities ne JOIN entities e ON e.id = ne.entity_id WHERE e.kind = 'tag'"), { timeout: 10_000 }).toEqual([[1]]);
    // The others, written directly: "Tagged 00620" is the oldest edit, so the last row of the page.
    await sql(
      p,
      `WITH RECURSIVE c(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM c WHERE i < ?)
       INSERT INTO notes (id, title, body, created_at, updated_at) SELECT printf('t%05d', i), printf('Tagged %05d', i), '#travel', i, ? - i FROM c`,
      [TAGGED, Date.now() - HOUR],
    );
    await sql(
      p,
      `INSERT INTO note_entities (note_id, entity_id, created_at) SELECT n.id, e.id, 1 FROM notes n, entities e WHERE n.id LIKE 't%' AND e.kind = 'tag'`,
    );
    const inDb = await sql(p, "SELECT count(*) FROM note_entities ne JOIN notes n ON n.id = ne.note_id JOIN entities e ON e.id = ne.entity_id WHERE e.kind = 'tag' AND n.trashed_at IS NULL");
    expect(inDb).toEqual([[TAGGED]]);

    const toTheEnd = async (list: string) => {
      const rows = p.getByRole("list", { name: list });
      await expect.poll(() => scroller(p).getAttribute("data-count"), { timeout: 30_000 }).toBe(String(TAGGED));
      await expect
        .poll(
          async () => {
            await scroller(p).evaluate((el) => el.scrollTo(0, el.scrollHeight));
            return rows.locator(".note-title").allTextContents();
          },
          { timeout: 30_000 },
        )
        .toContain(last);
      expect(await rows.locator("li").count()).toBeLessThan(60); // only a window of the rows is in the page
      expect(await rows.locator(`li[aria-posinset="${TAGGED}"]`).getAttribute("aria-setsize")).toBe(String(TAGGED));
    };

    await p.goto(`${baseUrl}/tag/travel`);
    await expect.poll(() => p.locator(".entity-title").textContent(), { timeout: 30_000 }).toBe("#travel");
    await toTheEnd("Notes mentioning this");

    await p.getByRole("navigation", { name: "Sections" }).getByRole("button", { name: "Views", exact: true }).click();
    await p.getByLabel("View name").fill("Travel");
    await p.getByRole("checkbox", { name: "#travel" }).check();
    await p.getByRole("button", { name: "Save view" }).click(); // and it opens
    await toTheEnd("Notes in this view");
    // A snapshot keeps the whole result too, not the first 500.
    await p.getByRole("button", { name: "Save snapshot" }).click();
    await expect.poll(() => sql(p, "SELECT json_array_length(result) FROM view_snapshots"), { timeout: 30_000 }).toEqual([[TAGGED]]);
  });
});
