/** The deployable bundle builds offline: Worker, both Durable Object classes and the app assets. */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ROOT, wranglerEnv } from "../scripts/lib/localServer.ts";

const run = promisify(execFile);

describe("npm run deploy, dry run", () => {
  it("produces a Worker bundle with UserLog and LinkCodes, and the built app as assets", async () => {
    const outdir = mkdtempSync(join(ROOT, ".tmp", "deploy-"));
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--outdir", outdir], {
      cwd: ROOT,
      env: wranglerEnv(),
    });
    const output = stdout + stderr;
    const bundle = readFileSync(join(outdir, "index.js"), "utf8");
    expect(bundle).toMatch(/UserLog = class extends DurableObject/);
    expect(bundle).toMatch(/LinkCodes = class extends DurableObject/);
    expect(bundle).toMatch(/export\s*\{[^}]*UserLog/);
    expect(output).toMatch(/env\.USER_LOG \(UserLog\)\s+Durable Object/);
    expect(output).toMatch(/env\.LINK_CODES \(LinkCodes\)\s+Durable Object/);
    const assets = Number(/Read (\d+) files from the assets directory/.exec(output)?.[1]);
    const built = readdirSync(join(ROOT, "dist", "assets"));
    expect(existsSync(join(ROOT, "dist", "index.html"))).toBe(true);
    expect(built.some((f) => f.endsWith(".wasm"))).toBe(true);
    expect(assets).toBeGreaterThanOrEqual(built.length + 1);
  });
});
