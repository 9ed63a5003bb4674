import { execFile, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { miniBrowserPath, plan, REQUIRED_BROWSERS, requiredBrowser, type Situation } from "./lib/browsers";

const run = promisify(execFile);
const chromium = requiredBrowser("chromium");
const ALL_PACKAGES = ["chromium", "firefox-esr", "webkit2gtk-driver", "libwebkit2gtk-4.1-0", "xvfb"];
/** Every path variable pointed at a binary that exists, so the script finds everything. */
const allPresent = Object.fromEntries(REQUIRED_BROWSERS.map((b) => [b.pathVariable, process.execPath]));
const base: Situation = { missing: [chromium], overridden: [], isRoot: true, hasApt: true, noInstall: false };

describe("what npm test does about missing browsers", () => {
  it("does nothing when every browser is there", () => {
    expect(plan({ ...base, missing: [] })).toEqual({ kind: "ready" });
  });

  it("installs the Debian packages quietly when root on Debian", () => {
    expect(plan(base)).toEqual({
      kind: "install",
      packages: ["chromium"],
      commands: [
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "chromium"],
      ],
    });
  });

  it("needs every engine's Debian packages: Chromium, Firefox ESR, WebKitGTK's driver and MiniBrowser, and Xvfb", () => {
    expect(REQUIRED_BROWSERS.map((b) => b.debianPackage)).toEqual(ALL_PACKAGES);
    expect(requiredBrowser("firefox-esr").defaultPath).toBe("/usr/bin/firefox-esr");
    expect(requiredBrowser("webkit2gtk-driver").defaultPath).toBe("/usr/bin/WebKitWebDriver");
    expect(requiredBrowser("xvfb").defaultPath).toBe("/usr/bin/xvfb-run");
    expect(miniBrowserPath("x64")).toBe("/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser");
    expect(miniBrowserPath("arm64")).toBe("/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser");
    expect(new Set(REQUIRED_BROWSERS.map((b) => b.pathVariable)).size).toBe(REQUIRED_BROWSERS.length);
  });

  it("on a fresh machine installs all of them in one apt-get run", () => {
    expect(plan({ ...base, missing: REQUIRED_BROWSERS })).toEqual({
      kind: "install",
      packages: ALL_PACKAGES,
      commands: [
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", ...ALL_PACKAGES],
      ],
    });
  });

  it("installs only what is missing", () => {
    const missing = [requiredBrowser("webkit2gtk-driver"), requiredBrowser("xvfb")];
    expect(plan({ ...base, missing })).toMatchObject({ kind: "install", packages: ["webkit2gtk-driver", "xvfb"] });
    expect(plan({ ...base, missing, isRoot: false })).toMatchObject({
      kind: "stop",
      reason: expect.stringMatching(/WebKitWebDriver, xvfb-run not found, and installing them needs root/),
      command: "sudo apt-get update && sudo apt-get install -y webkit2gtk-driver xvfb",
    });
  });

  // Where dpkg is here and a package is installed, its files are where the tests look for them.
  it.skipIf(spawnSync("dpkg", ["--version"], { stdio: "ignore" }).status !== 0)("each path is the one its Debian package installs", () => {
    const installed = REQUIRED_BROWSERS.filter((b) => existsSync(b.defaultPath));
    // One dpkg run for all (it reads its whole file list each time).
    const owners = spawnSync("dpkg", ["-S", ...installed.map((b) => b.defaultPath)], { encoding: "utf8" }).stdout;
    for (const b of installed) {
      const line = owners.split("\n").find((l) => l.endsWith(`: ${b.defaultPath}`));
      expect(line, b.defaultPath).toMatch(new RegExp(`^${b.debianPackage.replace(/[.+]/g, "\\$&")}(:[\\w-]+)?: `));
    }
  });

  it("stops with the sudo command when not root", () => {
    expect(plan({ ...base, isRoot: false })).toMatchObject({ kind: "stop", command: "sudo apt-get update && sudo apt-get install -y chromium" });
  });

  it("stops with the root command when told not to install", () => {
    expect(plan({ ...base, noInstall: true })).toMatchObject({ kind: "stop", command: "apt-get update && apt-get install -y chromium" });
  });

  it("stops and asks for the browser's path when there is no apt-get", () => {
    expect(plan({ ...base, hasApt: false })).toMatchObject({ kind: "stop", command: "CHROMIUM_PATH=/path/to/chromium npm test" });
  });

  it("does not install over a path the user set by hand", () => {
    expect(plan({ ...base, overridden: [chromium] })).toMatchObject({ kind: "stop", command: expect.stringMatching(/^unset CHROMIUM_PATH/) });
  });

  it("the script stops before the tests with the command and no stack trace", async () => {
    const failed = await run(process.execPath, ["scripts/ensureBrowsers.ts"], {
      env: { ...process.env, ...Object.fromEntries(REQUIRED_BROWSERS.map((b) => [b.pathVariable, ""])), ENSURE_BROWSERS_PRETEND_MISSING: "1", COBRAIN_NO_INSTALL: "1" },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 1 });
    const { stderr } = failed as { stderr: string };
    // Which command depends on this machine (root or not, Debian or not).
    expect(stderr).toMatch(/run:\n\n {2}\S.*(apt-get install -y chromium firefox-esr webkit2gtk-driver libwebkit2gtk-4.1-0 xvfb\n|CHROMIUM_PATH=)/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it("the script passes when the browsers are there", async () => {
    const { stdout, stderr } = await run(process.execPath, ["scripts/ensureBrowsers.ts"], { env: { ...process.env, ...allPresent } });
    expect(stdout + stderr).toBe("");
  });
});
