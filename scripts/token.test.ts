import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { SIGN_IN_LINK_MINUTES } from "../shared/constants";
import { readTokenClaims } from "../shared/syncStatus";
import { verifyToken } from "../worker/auth";

const run = promisify(execFile);
const SECRET = "token-test-secret-that-is-long-enough-0123";

describe("npm run token", () => {
  it("prints a short-lived sign-in link the server accepts, the token in the fragment", async () => {
    const { stdout } = await run(process.execPath, ["scripts/token.ts", "--user", "alice", "--device", "phone", "--url", "https://notes.example"], {
      env: { ...process.env, AUTH_SECRET: SECRET },
    });
    const link = stdout.trim().split("\n").at(-1)!;
    expect(link).toMatch(/^https:\/\/notes\.example\/#token=/);
    const token = link.split("#token=")[1]!;
    expect(await verifyToken(token, { AUTH_SECRET: SECRET })).toEqual({ userId: "alice", deviceId: "phone" });
    await expect(verifyToken(token, { AUTH_SECRET: "another-secret-also-long-enough-0123456" })).rejects.toThrow(/no longer uses/);
    const claims = readTokenClaims(token)!;
    expect(claims.expiresAt! - Date.now()).toBeLessThanOrEqual(SIGN_IN_LINK_MINUTES * 60_000);
  });

  it("refuses a link that would last over an hour, and a short secret", async () => {
    await expect(run(process.execPath, ["scripts/token.ts", "--user", "alice", "--minutes", "61"], { env: { ...process.env, AUTH_SECRET: SECRET } })).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--minutes must be between 1 and 60/),
    });
    await expect(run(process.execPath, ["scripts/token.ts", "--user", "alice"], { env: { ...process.env, AUTH_SECRET: "short" } })).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/at least 32 bytes.*openssl rand -hex 32/),
    });
  });

  it("refuses a user id that cannot travel in the sync handshake", async () => {
    await expect(run(process.execPath, ["scripts/token.ts", "--user", "a,b"], { env: { ...process.env, AUTH_SECRET: SECRET } })).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--user must match/),
    });
  });
});
