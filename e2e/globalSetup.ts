/** Builds the app once and serves it with the real local Worker for every end-to-end test. */
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { buildApp, ROOT, startLocalServer } from "../scripts/lib/localServer.ts";

/** Away from `npm start`'s 8787 so both can run at once. */
const E2E_PORT = Number(process.env.E2E_PORT ?? 8791);

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    authSecret: string;
    /** The local server's state directory (`wrangler dev --persist-to`): what the server stores on disk. */
    statePath: string;
  }
}

export default async function setup(project: TestProject) {
  await buildApp();
  const authSecret = randomBytes(32).toString("hex");
  const statePath = mkdtempSync(join(ROOT, ".tmp", "e2e-state-"));
  const server = await startLocalServer({ port: E2E_PORT, persistTo: statePath, authSecret });
  project.provide("statePath", statePath);
  project.provide("baseUrl", server.url);
  project.provide("authSecret", authSecret);
  return () => server.stop();
}
