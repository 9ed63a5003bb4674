/**
 * The browsers (and the programs that drive them) the end-to-end tests need, and what `npm test`
 * does when one is missing. Add one here and `npm test` provisions it too.
 */

export interface RequiredBrowser {
  name: string;
  /** The Debian package that provides `defaultPath`. */
  debianPackage: string;
  defaultPath: string;
  /** Environment variable that points the tests at another binary instead. */
  pathVariable: string;
}

/** Debian's multiarch folder for this machine (MiniBrowser lives under it). */
const MULTIARCH: Record<string, string> = { x64: "x86_64-linux-gnu", arm64: "aarch64-linux-gnu", arm: "arm-linux-gnueabihf", ia32: "i386-linux-gnu" };

export function miniBrowserPath(arch: string = process.arch): string {
  return `/usr/lib/${MULTIARCH[arch] ?? `${arch}-linux-gnu`}/webkit2gtk-4.1/MiniBrowser`;
}

export const REQUIRED_BROWSERS: readonly RequiredBrowser[] = [
  { name: "Chromium", debianPackage: "chromium", defaultPath: "/usr/bin/chromium", pathVariable: "CHROMIUM_PATH" },
  // Driven over WebDriver BiDi by puppeteer-core: no geckodriver needed.
  { name: "Firefox ESR", debianPackage: "firefox-esr", defaultPath: "/usr/bin/firefox-esr", pathVariable: "FIREFOX_PATH" },
  // WebKitGTK's W3C WebDriver server; it launches MiniBrowser.
  { name: "WebKitWebDriver", debianPackage: "webkit2gtk-driver", defaultPath: "/usr/bin/WebKitWebDriver", pathVariable: "WEBKIT_DRIVER_PATH" },
  // webkit2gtk-driver pulls it in today; named so that a change of dependencies cannot drop it.
  { name: "WebKitGTK MiniBrowser", debianPackage: "libwebkit2gtk-4.1-0", defaultPath: miniBrowserPath(), pathVariable: "MINIBROWSER_PATH" },
  // MiniBrowser has no headless mode: it runs on a virtual X display.
  { name: "xvfb-run", debianPackage: "xvfb", defaultPath: "/usr/bin/xvfb-run", pathVariable: "XVFB_RUN_PATH" },
];

/** The one required entry provided by `debianPackage`. */
export function requiredBrowser(debianPackage: string): RequiredBrowser {
  const found = REQUIRED_BROWSERS.find((b) => b.debianPackage === debianPackage);
  if (!found) throw new Error(`no required browser comes from the Debian package ${debianPackage}`);
  return found;
}

/** The binary the tests will launch: the override if set, else the Debian package's. */
export function browserPath(browser: RequiredBrowser, env: NodeJS.ProcessEnv = process.env): string {
  return env[browser.pathVariable] || browser.defaultPath;
}

export interface Situation {
  /** Browsers whose binary is not there. */
  missing: readonly RequiredBrowser[];
  /** Those of `missing` whose path the user set by hand (installing the package would not help). */
  overridden: readonly RequiredBrowser[];
  isRoot: boolean;
  /** Debian-like: /etc/debian_version and apt-get exist. */
  hasApt: boolean;
  /** COBRAIN_NO_INSTALL=1: check only, never install. */
  noInstall: boolean;
}

export type Plan =
  | { kind: "ready" }
  | { kind: "install"; packages: string[]; commands: string[][] }
  | { kind: "stop"; reason: string; command: string };

const aptInstall = (packages: string[], sudo: string) => `${sudo}apt-get update && ${sudo}apt-get install -y ${packages.join(" ")}`;

/** What to do about the browsers before any test runs. Pure: the situation is gathered elsewhere. */
export function plan(s: Situation): Plan {
  if (s.missing.length === 0) return { kind: "ready" };
  const names = s.missing.map((b) => b.name).join(", ");
  if (s.overridden.length > 0) {
    const b = s.overridden[0]!;
    return { kind: "stop", reason: `${b.pathVariable} points at a ${b.name} that is not there`, command: `unset ${b.pathVariable}  # or point it at a ${b.name} binary` };
  }
  const packages = s.missing.map((b) => b.debianPackage);
  if (!s.hasApt) {
    const b = s.missing[0]!;
    return { kind: "stop", reason: `${names} not found, and this is not Debian (no apt-get) so it cannot be installed here`, command: `${b.pathVariable}=/path/to/${b.debianPackage} npm test` };
  }
  if (!s.isRoot) return { kind: "stop", reason: `${names} not found, and installing ${s.missing.length > 1 ? "them" : "it"} needs root`, command: aptInstall(packages, "sudo ") };
  if (s.noInstall) return { kind: "stop", reason: `${names} not found (COBRAIN_NO_INSTALL is set)`, command: aptInstall(packages, "") };
  return {
    kind: "install",
    packages,
    commands: [
      ["apt-get", "update", "-qq"],
      ["apt-get", "install", "-y", "-qq", ...packages],
    ],
  };
}
