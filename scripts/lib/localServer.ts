/**
 * Starts the real Worker locally (`wrangler dev`, workerd) on 127.0.0.1, for `npm start`, the
 * end-to-end tests and the benchmarks. Everything wrangler writes stays inside the project.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
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
  /** Suspends the server's processes (SIGSTOP): a hung server, whose sockets stay open and unanswered. */
  freeze(): void;
}

export interface LocalServerOptions {
  port: number;
  persistTo: string;
  /** Overrides `.dev.vars` (tests and benchmarks use their own). */
  authSecret?: string;
  log?: (line: string) => void;
}

/** A health check left unanswered this long counts as no server (one that is suspended never answers). */
const HEALTH_ANSWER_MS = 2_000;

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/health`, { signal: AbortSignal.timeout(HEALTH_ANSWER_MS) });
    return true;
  } catch {
    return false;
  }
}

export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  // wrangler refuses to start without the app's assets (wrangler.toml [assets] directory): a
  // fresh clone has none until the first build.
  if (!existsSync(join(ROOT, "dist", "index.html"))) await buildApp();
  const url = `http://127.0.0.1:${options.port}`;
  // Another server on the port would answer our health check with the wrong secret and state.
  if (await answers(url)) throw new Error(`port ${options.port} is already in use; stop the other server first`);
  const args = ["dev", "--ip", "127.0.0.1", "--port", String(options.port), "--persist-to", options.persistTo, "--show-interactive-dev-session=false"];
  if (options.authSecret) args.push("--var", `AUTH_SECRET:${options.authSecret}`);
  const child: ChildProcess = spawn(
    process.execPath,
    [join(ROOT, "node_modules/wrangler/bin/wrangler.js"), ...args],
    // Its own process group: wrangler starts a CLI process and workerd, and all must stop together.
    { cwd: ROOT, env: wranglerEnv(), stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    options.log?.(chunk.toString());
  };
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  let frozen = false;
  const stop = async () => {
    if (frozen) signalGroup("SIGKILL"); // a suspended process never handles SIGTERM: a hung server is killed
    if (child.exitCode === null) {
      const exited = new Promise<void>((done) => child.once("exit", () => done()));
      signalGroup("SIGTERM");
      const timer = setTimeout(() => signalGroup("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
    signalGroup("SIGKILL"); // workerd may outlive the CLI
    // Wait until the port is free, so a restart on the same port cannot meet the old server.
    for (let i = 0; i < 50 && (await answers(url)); i++) await new Promise((r) => setTimeout(r, 100));
  };
  const freeze = () => {
    frozen = true;
    signalGroup("SIGSTOP");
  };
  // Ctrl+C or a crash of the parent must not leave workerd running.
  process.once("exit", () => signalGroup("SIGKILL"));
  const deadline = Date.now() + SERVER_START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${output}`);
    try {
      const response = await fetch(`${url}/health`);
      if (response.ok) return { url, stop, freeze };
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
      // Vitest sets NODE_ENV=test, which would make Vite build a development bundle
      // (import.meta.env.DEV true); the tests must run what a user gets.
      env: { ...wranglerEnv(), NODE_ENV: "production" },
      stdio: "inherit",
    });
    child.on("exit", (code) => (code === 0 ? done() : fail(new Error(`vite build failed (${code})`))));
  });
}
