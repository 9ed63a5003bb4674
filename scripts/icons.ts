/**
 * Renders the app icons (public/icons/*.png) from public/favicon.svg with headless Chromium.
 * Run once after changing the logo: `npx tsx scripts/icons.ts`; the PNGs are committed.
 * Maskable icons keep the logo inside the central 80 % safe zone on a full-bleed background.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { launchBrowser } from "../e2e/browser.ts";
import { ROOT } from "./lib/localServer.ts";

const svg = readFileSync(join(ROOT, "public/favicon.svg"), "utf8");
const out = join(ROOT, "public/icons");
mkdirSync(out, { recursive: true });
const browser = await launchBrowser();
const page = await browser.newPage();
for (const [size, maskable] of [[192, false], [512, false], [192, true], [512, true], [180, false]] as const) {
  await page.setViewportSize({ width: size, height: size });
  const inner = maskable ? size * 0.8 : size;
  await page.setContent(
    `<html><body style="margin:0;background:${maskable ? "#3b3f8f" : "transparent"};display:grid;place-items:center;width:${size}px;height:${size}px">
      <div style="width:${inner}px;height:${inner}px">${svg.replace("<svg ", '<svg width="100%" height="100%" ')}</div></body></html>`,
  );
  const name = size === 180 ? "apple-touch-icon.png" : `icon-${size}${maskable ? "-maskable" : ""}.png`;
  await page.screenshot({ path: join(out, name), omitBackground: !maskable });
}
await browser.close();
console.log(`icons written to ${out}`);
