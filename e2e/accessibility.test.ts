/**
 * Accessibility audited (issue 15 item 7): axe-core runs on every main screen, at phone and
 * desktop size, in light and dark mode, and finds no serious or critical violation; the
 * section navigation is reachable by Tab with a visible focus ring.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { addNote, openApp, openNote, showNotes } from "./app";
import { browserSession } from "./session";

const baseUrl = inject("baseUrl");
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
/** Only these impacts fail the audit: minor/moderate findings are advisory. */
const FAILING_IMPACTS = ["serious", "critical"];
const SIZES = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } };

interface Finding {
  id: string;
  impact: string | null;
  targets: string[];
}

/** axe's serious and critical violations on the page as it is now. */
async function audit(page: Page): Promise<Finding[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE_SOURCE); // evaluated, not a <script>: the app's CSP forbids inline scripts
  return page.evaluate(async (failing) => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: Array<{ id: string; impact: string | null; nodes: Array<{ target: unknown[] }> }> }> } }).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations
      .filter((v) => failing.includes(v.impact ?? ""))
      .map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(" ")) }));
  }, FAILING_IMPACTS);
}

describe("accessibility", () => {
  const session = browserSession();
  const section = (p: Page, name: string) => p.getByRole("navigation", { name: "Sections" }).getByRole("button", { name, exact: true }).click();

  for (const [sizeName, viewport] of Object.entries(SIZES)) {
    it(`has no serious or critical axe violation on any main screen, light and dark (${sizeName})`, async () => {
      const context = await session.context({ viewport });
      const p = await context.newPage();
      await openApp(p, baseUrl);
      await addNote(p, "Trip");
      await openNote(p, "Trip");
      await p.getByLabel("Body").fill("Flight with @anna #travel\n\n- [ ] passport");
      const found: Record<string, Finding[]> = {};
      const check = async (screen: string) => {
        // Each screen in both colour schemes (the browser's prefers-color-scheme, as a user sets it).
        for (const colorScheme of ["light", "dark"] as const) {
          await p.emulateMedia({ colorScheme });
          found[`${screen}, ${colorScheme}`] = await audit(p);
        }
      };
      await check("open note (edit)");
      await p.getByRole("group", { name: "Edit or read" }).getByRole("button", { name: "Read" }).click();
      await check("open note (read)");
      await p.locator(".chip", { hasText: "#travel" }).click();
      await p.locator(".entity-title").waitFor();
      await check("tag page");
      await showNotes(p);
      await check("notes list");
      for (const name of ["Archive", "Trash", "Reminders", "Views", "Settings"]) {
        await section(p, name);
        await p.locator("nav[aria-label=Sections] [aria-current=page]", { hasText: name }).waitFor();
        await check(name.toLowerCase());
      }
      const bad = Object.entries(found).flatMap(([screen, list]) => list.map((f) => `${screen}: ${f.id} (${f.impact}) at ${f.targets.join(", ")}`));
      expect(bad, bad.join("\n")).toEqual([]);
    });
  }

  it("reaches every main control by Tab, each with a visible focus ring", async () => {
    const context = await session.context({ viewport: SIZES.desktop, colorScheme: "dark" });
    const p = await context.newPage();
    await openApp(p, baseUrl);
    await showNotes(p);
    const sections = (await p.getByRole("navigation", { name: "Sections" }).getByRole("button").allTextContents()).map((s) => s.trim());
    expect(sections.length).toBeGreaterThan(0);
    const wanted = ["Search notes", ...sections, "New note", "Add note"];
    const reached: string[] = [];
    const ringless: string[] = [];
    // Tab from the top of the page through the header, the sections and the new-note form.
    const MAX_TABS = 40;
    for (let i = 0; i < MAX_TABS && !wanted.every((w) => reached.includes(w)); i++) {
      await p.keyboard.press("Tab");
      const focused = await p.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return undefined;
        const style = getComputedStyle(el);
        const labelled = (el as HTMLInputElement).labels?.[0]?.textContent?.trim();
        const name = el.getAttribute("aria-label") ?? labelled ?? (el.textContent?.trim() || el.tagName);
        return { name, ring: el.matches(":focus-visible") && style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0 };
      });
      if (!focused) continue;
      reached.push(focused.name);
      if (!focused.ring) ringless.push(focused.name);
    }
    expect(wanted.filter((w) => !reached.includes(w)), `reached by Tab: ${reached.join(" | ")}`).toEqual([]);
    expect(ringless, "focused without a visible outline").toEqual([]);
  });
});
