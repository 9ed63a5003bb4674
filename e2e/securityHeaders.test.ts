/** Security headers on every kind of response, and the whole app working under its CSP. */
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { addNote, openApp, openNote, waitForSync } from "./app";
import { browserSession } from "./session";
import { mintToken } from "../worker/auth";

const baseUrl = inject("baseUrl");
const authSecret = inject("authSecret");

function expectSecurityHeaders(headers: Headers, what: string) {
  const csp = headers.get("Content-Security-Policy") ?? "";
  expect(csp, what).toMatch(/default-src 'self'/);
  expect(csp, what).toMatch(/object-src 'none'/);
  expect(csp, what).toMatch(/base-uri 'none'/);
  expect(csp, what).toMatch(/frame-ancestors 'none'/);
  expect(csp, what).toMatch(/connect-src 'self'/);
  expect(csp, what).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  expect(csp, what).not.toMatch(/script-src[^;]*'unsafe-eval'/);
  expect(headers.get("X-Content-Type-Options"), what).toBe("nosniff");
  expect(headers.get("Referrer-Policy"), what).toBe("no-referrer");
}

describe("security headers", () => {
  const session = browserSession();

  it("every response type carries them: the shell, a hashed asset, the API, health, the manifest, the service worker", async () => {
    const shell = await fetch(`${baseUrl}/`);
    const html = await shell.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const manifest = /href="([^"]+\.webmanifest)"/.exec(html)?.[1] ?? "/manifest.webmanifest";
    const paths = ["/", asset!, "/api/me", "/api/public/link-claim", "/health", manifest, "/sw.js", "/some/deep/link", "/sync"];
    for (const path of paths) {
      const response = await fetch(`${baseUrl}${path}`, path === "/api/public/link-claim" ? { method: "POST", body: "{}" } : {});
      await response.arrayBuffer();
      expect(response.status, path).toBeLessThan(500);
      expectSecurityHeaders(response.headers, path);
    }
    // WebAssembly may be compiled only by the database worker's script, not by the page …
    expect(shell.headers.get("Content-Security-Policy")).not.toContain("wasm-unsafe-eval");
    const worker = /databaseWorker-[\w-]+\.js/.exec(await (await fetch(`${baseUrl}${asset}`)).text())?.[0];
    expect(worker).toBeDefined();
    const workerScript = await fetch(`${baseUrl}/assets/${worker}`);
    expect(workerScript.headers.get("Content-Security-Policy")).toMatch(/script-src 'self' 'wasm-unsafe-eval'/);
    expectSecurityHeaders(workerScript.headers, worker!);
    // … and by the copy worker's, which the database worker starts to rebuild the account's copy.
    const copyWorker = /copyWorker-[\w-]+\.js/.exec(await workerScript.text())?.[0];
    expect(copyWorker).toBeDefined();
    const copyScript = await fetch(`${baseUrl}/assets/${copyWorker}`);
    await copyScript.arrayBuffer();
    expect(copyScript.headers.get("Content-Security-Policy")).toMatch(/script-src 'self' 'wasm-unsafe-eval'/);
    expectSecurityHeaders(copyScript.headers, copyWorker!);
  });

  it("the app runs its whole flow under the CSP with no violation", async () => {
    const context = await session.context();
    const page: Page = await context.newPage();
    const violations: string[] = [];
    page.on("console", (message) => {
      if (/Content.Security.Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
    await page.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
    });
    await openApp(page, baseUrl);
    // The detector works: an inline script is refused and reported.
    await page.evaluate(() => document.head.append(Object.assign(document.createElement("script"), { textContent: "window.inlineRan = true" })));
    await expect.poll(() => violations.length).toBe(1);
    expect(await page.evaluate(() => "inlineRan" in window)).toBe(false);
    violations.length = 0;
    const token = await mintToken(authSecret, { userId: `csp-${Date.now()}`, deviceId: "csp" });
    await page.goto(`${baseUrl}/#token=${token}`);
    await page.getByRole("dialog").getByRole("button", { name: /^Sign in as/ }).click();
    await waitForSync(page, "synced");
    await addNote(page, "under the CSP");
    await openNote(page, "under the CSP");
    await page.getByLabel("Title", { exact: true }).fill("under the CSP, edited");
    await page.getByRole("button", { name: "Views", exact: true }).click();
    await page.getByRole("button", { name: "Reminders", exact: true }).click();
    await page.getByRole("button", { name: "Settings", exact: true }).click();
    await page.getByRole("button", { name: "Notes", exact: true }).click();
    await page.locator(".sync-indicator").click();
    await page.getByRole("button", { name: "Show a link code" }).click();
    await expect.poll(() => page.locator(".qr svg").count()).toBe(1);
    await page.reload();
    await waitForSync(page, "synced");
    expect(violations).toEqual([]);
  });
});
