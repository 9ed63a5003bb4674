/**
 * Chromium (over CDP) and Firefox ESR (over WebDriver BiDi, no geckodriver) as engine devices,
 * both through puppeteer-core: one browser process per device, with a fresh profile.
 */
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { browserPath, requiredBrowser } from "../../scripts/lib/browsers.ts";
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from "../browser.ts";
import { ACTION_TIMEOUT_MS, type EngineDevice } from "./driver.ts";

export const FIREFOX_PATH = browserPath(requiredBrowser("firefox-esr"));

function launch(engine: "chromium" | "firefox"): Promise<Browser> {
  if (engine === "firefox") return puppeteer.launch({ browser: "firefox", executablePath: FIREFOX_PATH, headless: true });
  return puppeteer.launch({ browser: "chrome", executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_FLAGS.filter((f) => f !== "--headless") });
}

export async function launchPuppeteerDevice(engine: "chromium" | "firefox"): Promise<EngineDevice> {
  const browser = await launch(engine);
  const page: Page = (await browser.pages())[0] ?? (await browser.newPage());
  return {
    engine,
    async goto(url) {
      await page.goto(url, { waitUntil: "load" });
    },
    async reload() {
      await page.reload({ waitUntil: "load" });
    },
    evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
    async click(css) {
      await page.locator(css).setTimeout(ACTION_TIMEOUT_MS).click();
    },
    async type(css, text) {
      await page.locator(css).setTimeout(ACTION_TIMEOUT_MS).fill(text);
    },
    async close() {
      await browser.close().catch(() => undefined);
    },
    async kill() {
      browser.process()?.kill("SIGKILL");
      await browser.disconnect().catch(() => undefined);
    },
  };
}
