import { env, exports } from "cloudflare:workers";
import { sign } from "hono/jwt";
import { SignJWT } from "jose";
import { keyId, TOKEN_AUDIENCE, TOKEN_ISSUER } from "./auth";
import { describe, expect, it } from "vitest";
import { encodeSyncProtocol } from "../shared/syncProtocol";
import { token, upgrade } from "../testing/workerd/device";

describe("sync handshake and API auth", () => {
  it("echoes the requested subprotocol exactly on 101", async () => {
    const protocol = encodeSyncProtocol({ auth: await token("alice"), room: "alice" });
    const response = await upgrade(protocol);
    expect(response.status).toBe(101);
    expect(response.headers.get("Sec-WebSocket-Protocol")).toBe(protocol);
    response.webSocket!.accept();
    response.webSocket!.close();
  });

  it("refuses a missing token with 401 before upgrading", async () => {
    const response = await upgrade(encodeSyncProtocol({ room: "alice" }));
    expect(response.status).toBe(401);
    expect(response.webSocket).toBeNull();
  });

  it("refuses a forged token with 401", async () => {
    const forged = await sign({ sub: "alice", did: "d", exp: Math.floor(Date.now() / 1000) + 60 }, "not-the-secret", "HS256");
    const response = await upgrade(encodeSyncProtocol({ auth: forged, room: "alice" }));
    expect(response.status).toBe(401);
  });

  it("refuses an expired token with 401 and says so", async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ sub: "alice", did: "d" })
      .setProtectedHeader({ alg: "HS256", kid: await keyId(env.AUTH_SECRET) })
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setIssuedAt(now - 600)
      .setExpirationTime(now - 5)
      .sign(new TextEncoder().encode(env.AUTH_SECRET));
    const response = await upgrade(encodeSyncProtocol({ auth: expired, room: "alice" }));
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: "token expired; sign in again" });
  });

  it("refuses another user's room with 403", async () => {
    const response = await upgrade(encodeSyncProtocol({ auth: await token("mallory"), room: "alice" }));
    expect(response.status).toBe(403);
  });

  it.each([
    ["no subprotocol", undefined, 400],
    ["garbage base64", "%%%not-base64", 400],
    ["two subprotocols", "a, b", 400],
  ])("refuses %s with a clear 4xx", async (_, protocol, status) => {
    const response = await upgrade(protocol);
    expect(response.status).toBe(status);
    expect((await response.json()) as object).toHaveProperty("error");
  });

  it("asks for a WebSocket upgrade on plain GET /sync", async () => {
    expect((await exports.default.fetch("http://cobrain.test/sync")).status).toBe(426);
  });

  it("/api needs a valid bearer token and reports who is calling", async () => {
    const missing = await exports.default.fetch("http://cobrain.test/api/me");
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ error: expect.stringMatching(/sign in/) });
    const bad = await exports.default.fetch("http://cobrain.test/api/me", { headers: { Authorization: "Bearer nope" } });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ error: expect.stringMatching(/invalid or expired/) });
    const ok = await exports.default.fetch("http://cobrain.test/api/me", { headers: { Authorization: `Bearer ${await token("alice", "phone")}` } });
    expect(await ok.json()).toEqual({ userId: "alice", deviceId: "phone" });
  });
});
