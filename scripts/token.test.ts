import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { verifyToken } from "../worker/auth";

const run = promisify(execFile);
const SECRET = "token-test-secret";

describe("npm run token", () => {
  it("mints a token the server accepts, with a sign-in link carrying it in the fragment", async () => {
    const { stdout } = await run(process.execPath, ["scripts/token.ts", "--user", "alice", "--device", "phone", "--url", "https://notes.example"], {
      env: { ...process.env, AUTH_SECRET: SECRET },
    });
    const link = stdout.trim().split("\n").at(-1)!;
    expect(link).toMatch(/^https:\/\/notes\.example\/#token=/);
    const token = link.split("#token=")[1]!;
    expect(await verifyToken(token, { AUTH_SECRET: SECRET })).toEqual({ userId: "alice", deviceId: "phone" });
    await expect(verifyToken(token, { AUTH_SECRET: "another-secret" })).rejects.toThrow(/invalid token/);
  });

  it("refuses a user id that cannot travel in the sync handshake", async () => {
    await expect(run(process.execPath, ["scripts/token.ts", "--user", "a,b"], { env: { ...process.env, AUTH_SECRET: SECRET } })).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--user must match/),
    });
  });
});
