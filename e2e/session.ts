/** One Chromium per test file; the contexts a test opens are closed after it. */
import type { Browser, BrowserContext, BrowserContextOptions } from "playwright-core";
import { afterAll, afterEach, beforeAll } from "vitest";
import { launchBrowser } from "./browser";

export function browserSession() {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close().catch(() => undefined)));
  });
  afterAll(() => browser?.close());
  return {
    /** A fresh context: a separate device with its own storage. */
    async context(options?: BrowserContextOptions): Promise<BrowserContext> {
      const context = await browser!.newContext(options);
      contexts.push(context);
      return context;
    },
  };
}
