import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { plan, REQUIRED_BROWSERS, type Situation } from "./lib/browsers";

const run = promisify(execFile);
const chromium = REQUIRED_BROWSERS.find((b) => b.debianPackage === "chromium")!;
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
      env: { ...process.env, CHROMIUM_PATH: "", ENSURE_BROWSERS_PRETEND_MISSING: "1", COBRAIN_NO_INSTALL: "1" },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 1 });
    const { stderr } = failed as { stderr: string };
    expect(stderr).toMatch(/run:\n\n {2}\S.*(apt-get install -y chromium|CHROMIUM_PATH=)/); // which one depends on this machine
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it("the script passes when the browsers are there", async () => {
    const { stdout, stderr } = await run(process.execPath, ["scripts/ensureBrowsers.ts"], { env: { ...process.env, CHROMIUM_PATH: process.execPath } });
    expect(stdout + stderr).toBe("");
  });
});
