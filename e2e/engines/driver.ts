/**
 * One small interface over the three engines' automation (Chromium through playwright-core,
 * Firefox ESR through puppeteer-core over WebDriver BiDi, WebKitGTK's MiniBrowser through
 * WebKitWebDriver and webdriverio), so the engine tests read the same in each engine.
 * A device is one browser process with its own storage.
 */

/** How long a click or a typing waits for its element to be there and still (a loaded CI machine). */
export const ACTION_TIMEOUT_MS = 10_000;

export type EngineName = "chromium" | "firefox" | "webkit";

export interface EngineDevice {
  readonly engine: EngineName;
  /** Navigates and waits for the page's load event. */
  goto(url: string): Promise<void>;
  reload(): Promise<void>;
  /**
   * Runs `fn(arg)` in the page and returns its (awaited) result. `fn` is sent as source text:
   * it must not use anything from the test's scope, and `arg` and the result must be JSON.
   */
  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
  /**
   * A real (trusted) click on the first element matching a CSS selector. Fails within
   * `ACTION_TIMEOUT_MS` when there is none (the caller finds it again: it may have been re-rendered).
   */
  click(css: string): Promise<void>;
  /** Replaces the text of the input or textarea matching a CSS selector by typing `text`. */
  type(css: string, text: string): Promise<void>;
  /** Closes the browser as a person would. */
  close(): Promise<void>;
  /** Ends the browser process at once (SIGKILL), as a crash would. */
  kill(): Promise<void>;
}

/** The script a WebDriver classic `execute/async` call runs: awaits `fn(arg)`, reports errors as values. */
export function asyncScript(fn: (arg: never) => unknown): string {
  return `const done = arguments[arguments.length - 1];
Promise.resolve().then(() => (${fn.toString()})(arguments[0])).then(
  (value) => done({ ok: true, value: value === undefined ? null : value }),
  (e) => done({ ok: false, error: String((e && e.stack) || e) }),
);`;
}
