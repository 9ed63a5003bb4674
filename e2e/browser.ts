/** Debian's Chromium driven by playwright-core (its own browser download cannot work here). */
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions } from "playwright-core";
import { browserPath, requiredBrowser } from "../scripts/lib/browsers.ts";
import { ROOT } from "../scripts/lib/localServer.ts";

/** `npm test` installs it first when it can (scripts/ensureBrowsers.ts); CHROMIUM_PATH overrides. */
export const CHROMIUM_PATH = browserPath(requiredBrowser("chromium"));

export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-quic",
  // Without these Chromium floods the closed network with requests.
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Profiles this process made, for `removeProfileDirs`. */
const profileDirs: string[] = [];

export function freshProfileDir(): string {
  const dir = mkdtempSync(join(ROOT, ".tmp", "chromium-"));
  profileDirs.push(dir);
  return dir;
}

/** Deletes every profile this process made (each is a whole browser profile, tens of MB): call once its browsers are closed. */
export function removeProfileDirs(): void {
  for (const dir of profileDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function launchBrowser(): Promise<Browser> {
  // Playwright gives each launch a fresh temporary profile.
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS });
}

/** A browser profile on disk, so a test can quit Chromium and start it again on the same data. */
export function launchProfile(profileDir: string, options?: BrowserContextOptions): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, { ...options, executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS });
}

/**
 * Kills the Chromium started on `profileDir` with SIGKILL, as a crash or a power cut would: no
 * pagehide, no unload, no chance to flush. Finds the browser process by its own profile flag.
 */
export async function killProfileBrowser(profileDir: string): Promise<void> {
  const { execFileSync } = await import("node:child_process");
  const lines = execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" }).split("\n");
  const main = lines.filter((line) => line.includes(`--user-data-dir=${profileDir}`) && !line.includes("--type="));
  if (main.length === 0) throw new Error(`no Chromium found for ${profileDir}`);
  for (const line of main) process.kill(Number(line.trim().split(/\s+/)[0]), "SIGKILL");
}
