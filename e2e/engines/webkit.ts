/**
 * WebKitGTK's MiniBrowser as an engine device: `WebKitWebDriver` (classic W3C WebDriver, from
 * Debian's webkit2gtk-driver) on a virtual X display (`xvfb-run`, as MiniBrowser has no headless
 * mode), driven by webdriverio. One driver process, one session and one MiniBrowser per device.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { remote } from "webdriverio";
import { browserPath, requiredBrowser } from "../../scripts/lib/browsers.ts";
import { asyncScript, type EngineDevice } from "./driver.ts";

const DRIVER_PATH = browserPath(requiredBrowser("webkit2gtk-driver"));
const MINIBROWSER_PATH = browserPath(requiredBrowser("libwebkit2gtk-4.1-0"));
const XVFB_RUN_PATH = browserPath(requiredBrowser("xvfb"));
/** The driver answers within a second or two; a loaded CI machine gets more. */
const DRIVER_START_TIMEOUT_MS = 30_000;
/** How long xvfb-run gets to clean up after SIGTERM. */
const DRIVER_STOP_GRACE_MS = 3_000;
/** Longest a page script may take (a database query on a busy machine). */
const SCRIPT_TIMEOUT_MS = 60_000;
/** Longest a page load may take; the driver's own default (300 s) is past the test's limit. */
const PAGE_LOAD_TIMEOUT_MS = 60_000;
/**
 * Longest any one WebDriver call may go unanswered: past the driver's own limits above, so a
 * stalled driver or browser fails the call by name instead of running into the test's limit.
 */
const CALL_TIMEOUT_MS = 90_000;

/** Fails with `what` when `call` has no answer within CALL_TIMEOUT_MS. */
async function within<T>(what: string, call: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`WebKit: ${what} got no answer from WebKitWebDriver within ${CALL_TIMEOUT_MS / 1000} s`)), CALL_TIMEOUT_MS);
  });
  try {
    return await Promise.race([call, stalled]);
  } finally {
    clearTimeout(timer);
  }
}
/**
 * JavaScriptCore options for MiniBrowser's web process (read from its environment). Without its
 * optimizing WebAssembly tier: with it, a reloaded page's compile of the SQLite build waited 30 s
 * to minutes behind the old page's optimizing compiles (README, "Browser tests"), an engine
 * behaviour a page cannot change; `WEBKIT_JSC_DEFAULT=1` runs the engine's defaults instead.
 */
const JSC_ENV: Record<string, string> = process.env.WEBKIT_JSC_DEFAULT === "1" ? {} : { JSC_useOMGJIT: "false" };

/** A port nobody listens on right now, for the driver. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function startDriver(port: number): Promise<ChildProcess> {
  // Its own process group, so Xvfb, the driver and MiniBrowser all end together.
  const child = spawn(XVFB_RUN_PATH, ["-a", DRIVER_PATH, `--port=${port}`], { stdio: "ignore", detached: true, env: { ...process.env, ...JSC_ENV } });
  const deadline = Date.now() + DRIVER_START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`WebKitWebDriver exited (${child.exitCode}) before answering`);
    const ready = await fetch(`http://127.0.0.1:${port}/status`).then((r) => r.ok, () => false);
    if (ready) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  killGroup(child);
  throw new Error(`WebKitWebDriver did not answer on port ${port} within ${DRIVER_START_TIMEOUT_MS} ms`);
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

const killGroup = (child: ChildProcess) => signalGroup(child, "SIGKILL");

/** SIGTERM first: xvfb-run then removes its X display's lock file, which a SIGKILL leaves behind. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((done) => child.once("exit", () => done()));
    signalGroup(child, "SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, DRIVER_STOP_GRACE_MS))]);
  }
  killGroup(child);
}

export async function launchWebKitDevice(): Promise<EngineDevice> {
  const port = await freePort();
  const driver = await startDriver(port);
  process.once("exit", () => killGroup(driver));
  const browser = await remote({
    hostname: "127.0.0.1",
    port,
    path: "/",
    logLevel: "error",
    capabilities: {
      browserName: "MiniBrowser",
      "webkitgtk:browserOptions": { binary: MINIBROWSER_PATH, args: ["--automation"] },
      // webdriverio 9 asks for BiDi (webSocketUrl) by default, which WebKitWebDriver cannot match.
      "wdio:enforceWebDriverClassic": true,
    } as WebdriverIO.Capabilities,
  }).catch((e: unknown) => {
    killGroup(driver);
    throw e;
  });
  await browser.setTimeout({ script: SCRIPT_TIMEOUT_MS, pageLoad: PAGE_LOAD_TIMEOUT_MS });
  return {
    engine: "webkit",
    async goto(url) {
      await within(`loading ${url}`, browser.url(url));
    },
    async reload() {
      await within("a reload", browser.refresh());
    },
    async evaluate(fn, arg) {
      const script = asyncScript(fn as never);
      const result = (await within(`the page script ${fn.toString().slice(0, 80)}`, browser.executeAsync(script, arg ?? null))) as { ok: boolean; value?: unknown; error?: string };
      if (!result.ok) throw new Error(`in WebKit: ${result.error}`);
      return result.value as never;
    },
    async click(css) {
      await within(`a click on ${css}`, (async () => (await browser.$(css)).click())());
    },
    async type(css, text) {
      await within(`typing into ${css}`, (async () => (await browser.$(css)).setValue(text))());
    },
    async close() {
      await within("closing the session", browser.deleteSession()).catch(() => undefined);
      await stopGroup(driver);
    },
    async kill() {
      killGroup(driver);
    },
  };
}
