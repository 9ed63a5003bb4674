/**
 * Starts the real Worker locally (`wrangler dev`, workerd) on 127.0.0.1, for `npm start`, the
 * end-to-end tests and the benchmarks. Everything wrangler writes stays inside the project.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");

/** Starting wrangler dev took 2.6–3.8 s on the probe machine; allow for a slow, busy CI box. */
const SERVER_START_TIMEOUT_MS = 60_000;

/** The environment wrangler needs here: no telemetry, no network look-ups, files kept local. */
export function wranglerEnv(): NodeJS.ProcessEnv {
  const local = join(ROOT, ".tmp");
  mkdirSync(local, { recursive: true });
  return {
    ...process.env,
    WRANGLER_SEND_METRICS: "false",
    WRANGLER_SEND_ERROR_REPORTS: "false",
    WRANGLER_HIDE_BANNER: "true",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    // On by default and roughly halves message throughput.
    X_LOCAL_OBSERVABILITY: "false",
    XDG_CONFIG_HOME: join(ROOT, ".config"),
    TMPDIR: local,
    NODE_COMPILE_CACHE: join(ROOT, ".cache", "node"),
  };
}

export interface LocalServer {
  url: string;
  stop(): Promise<void>;
}

export interface LocalServerOptions {
  port: number;
  persistTo: string;
  /** Overrides `.dev.vars` (tests and benchmarks use their own). */
  authSecret?: string;
  log?: (line: string) => void;
}

export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const args = ["dev", "--ip", "127.0.0.1", "--port", String(options.port), "--persist-to", options.persistTo, "--show-interactive-dev-session=false"];
  if (options.authSecret) args.push("--var", `AUTH_SECRET:${options.authSecret}`);
  const child: ChildProcess = spawn(
    process.execPath,
    [join(ROOT, "node_modules/wrangler/bin/wrangler.js"), ...args],
    { cwd: ROOT, env: wranglerEnv(), stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    options.log?.(chunk.toString());
  };
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const url = `http://127.0.0.1:${options.port}`;
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null) return done();
      child.once("exit", () => done());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
    });
  const deadline = Date.now() + SERVER_START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${output}`);
    try {
      const response = await fetch(`${url}/health`);
      if (response.ok) return { url, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`wrangler dev did not answer /health within ${SERVER_START_TIMEOUT_MS} ms:\n${output}`);
}

/** `vite build` of the app into dist/. */
export function buildApp(): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(ROOT, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "warn"], {
      cwd: ROOT,
      env: wranglerEnv(),
      stdio: "inherit",
    });
    child.on("exit", (code) => (code === 0 ? done() : fail(new Error(`vite build failed (${code})`))));
  });
}
