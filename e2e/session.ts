/**
 * Devices for a test file: each context is a Chromium of its own on its own on-disk profile, as two
 * phones are two browsers (not two incognito contexts of one browser, whose OPFS lives in the
 * browser process's memory and answers each file read and write over IPC). Closed and deleted
 * after each test.
 */
import { rmSync } from "node:fs";
import type { BrowserContext, BrowserContextOptions } from "playwright-core";
import { afterEach } from "vitest";
import { freshProfileDir, launchProfile } from "./browser";

export function browserSession() {
  const started: { context: BrowserContext; profile: string }[] = [];
  afterEach(async () => {
    await Promise.all(
      started.splice(0).map(async ({ context, profile }) => {
        await context.close().catch(() => undefined);
        rmSync(profile, { recursive: true, force: true });
      }),
    );
  });
  return {
    /** A new device: a separate browser with its own storage. */
    async context(options?: BrowserContextOptions): Promise<BrowserContext> {
      const profile = freshProfileDir();
      const context = await launchProfile(profile, options);
      started.push({ context, profile });
      return context;
    },
  };
}
