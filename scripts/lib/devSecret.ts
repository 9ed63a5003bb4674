/**
 * The local development secret: kept in `.dev.vars` (git-ignored), where `wrangler dev` reads
 * secrets from. Made on first use so `npm start` needs no setup.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./localServer.ts";

export const DEV_VARS = join(ROOT, ".dev.vars");

export function readDevSecret(): string | undefined {
  if (!existsSync(DEV_VARS)) return undefined;
  const match = /^AUTH_SECRET\s*=\s*"?([^"\n]+)"?\s*$/m.exec(readFileSync(DEV_VARS, "utf8"));
  return match?.[1];
}

export function ensureDevSecret(): string {
  const existing = readDevSecret();
  if (existing) return existing;
  const secret = randomBytes(32).toString("hex");
  const previous = existsSync(DEV_VARS) ? readFileSync(DEV_VARS, "utf8") : "";
  writeFileSync(DEV_VARS, `${previous}${previous && !previous.endsWith("\n") ? "\n" : ""}AUTH_SECRET=${secret}\n`, { mode: 0o600 });
  return secret;
}

/** The sign-in link: the token rides in the fragment, which browsers never send to a server. */
export function signInLink(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/$/, "")}/#token=${token}`;
}
