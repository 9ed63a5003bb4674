/** Secrets, user ids and link codes that cannot be abused (issue 13), through the real Worker. */
import { env, exports } from "cloudflare:workers";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { LINK_ATTEMPTS_PER_ADDRESS, LINK_CODES_OPEN_PER_USER } from "../shared/constants";
import { encodeSyncProtocol } from "../shared/syncProtocol";
import { app } from "./index";
import { keyId, mintToken, TOKEN_AUDIENCE, TOKEN_ISSUER, verifyToken } from "./auth";
import { token, upgrade } from "../testing/workerd/device";

const freshUser = () => `safe-${crypto.randomUUID().slice(0, 8)}`;

async function api(path: string, { bearer, method = "GET", body, address }: { bearer?: string; method?: string; body?: unknown; address?: string } = {}) {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  if (address) headers["CF-Connecting-IP"] = address;
  const response = await exports.default.fetch(`http://cobrain.test${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const claim = (code: string, address: string) => api("/api/public/link-claim", { method: "POST", body: { code }, address });

describe("AUTH_SECRET", () => {
  it("a missing or short secret stops every Worker route with a message that says how to make one", async () => {
    for (const secret of [undefined, "", "x".repeat(31)]) {
      for (const path of ["/health", "/api/me", "/sync"]) {
        const response = await app.fetch(new Request(`http://cobrain.test${path}`), { ...env, AUTH_SECRET: secret } as never);
        expect(response.status, `${path} with ${secret?.length} bytes`).toBe(500);
        const { error } = (await response.json()) as { error: string };
        expect(error).toMatch(/AUTH_SECRET/);
        expect(error).toMatch(/32 bytes/);
        expect(error).toMatch(/openssl rand/);
      }
    }
    const good = await app.fetch(new Request("http://cobrain.test/health"), { ...env, AUTH_SECRET: "y".repeat(32) } as never);
    expect(good.status).toBe(200);
  });

  it("the test and development secrets are long enough themselves", () => {
    expect(new TextEncoder().encode(env.AUTH_SECRET).length).toBeGreaterThanOrEqual(32);
  });
});

describe("one user id per person", () => {
  it("case and Unicode forms of a name are one user, at minting and at verification", async () => {
    expect(await verifyToken(await mintToken(env.AUTH_SECRET, { userId: "Alice", deviceId: "d1" }), env)).toEqual({ userId: "alice", deviceId: "d1" });
    // Fullwidth "ＡＬＩＣＥ" is "ALICE" under NFKC; a token signed elsewhere with it is still alice.
    const exp = Math.floor(Date.now() / 1000) + 60;
    const foreign = await new SignJWT({ sub: "ＡＬＩＣＥ", did: "d2", iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, iat: exp - 60, exp })
      .setProtectedHeader({ alg: "HS256", kid: await keyId(env.AUTH_SECRET) })
      .sign(new TextEncoder().encode(env.AUTH_SECRET));
    expect((await verifyToken(foreign, env)).userId).toBe("alice");
    // The room a device asks for is compared in the same form.
    const response = await upgrade(encodeSyncProtocol({ auth: foreign, room: "Alice" }));
    expect(response.status).toBe(101);
    response.webSocket!.accept();
    response.webSocket!.close();
  });
});

describe("link codes that cannot be abused", () => {
  it("limits wrong guesses per IPv6 /64, not per address", async () => {
    const bearer = await token(freshUser(), "phone");
    const { code } = (await api("/api/link-codes", { bearer, method: "POST" })).json as { code: string };
    const prefix = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:1`;
    for (let i = 1; i <= LINK_ATTEMPTS_PER_ADDRESS; i++) expect((await claim("ZZZZZZZZ", `${prefix}::${i.toString(16)}`)).status).toBe(400);
    expect((await claim(code, `${prefix}:0:0:0:ffff`)).status).toBe(429);
    expect((await claim(code, `${prefix.replace(/:1$/, ":2")}::1`)).status).toBe(200);
  });

  it("a flood of wrong codes from one client does not stop another client's claim", async () => {
    const bearer = await token(freshUser(), "phone");
    const { code } = (await api("/api/link-codes", { bearer, method: "POST" })).json as { code: string };
    const store = env.LINK_CODES.get(env.LINK_CODES.idFromName("link-codes"));
    // One client with a whole IPv6 /48 to rotate through: thousands of /64s, each guessing.
    const flooder = `2001:db8:f${Math.floor(Math.random() * 0xfff).toString(16)}`;
    for (let net = 0; net < 600; net++) {
      await Promise.all(Array.from({ length: LINK_ATTEMPTS_PER_ADDRESS }, (_, i) => store.claim("ZZZZZZZZ", `${flooder}:${net.toString(16)}::${i + 1}`)));
    }
    expect((await claim(code, "203.0.113.9")).status).toBe(200);
  }, 120_000);

  it("caps the open codes per user", async () => {
    const bearer = await token(freshUser(), "phone");
    for (let i = 0; i < LINK_CODES_OPEN_PER_USER; i++) expect((await api("/api/link-codes", { bearer, method: "POST" })).status).toBe(201);
    const over = await api("/api/link-codes", { bearer, method: "POST" });
    expect(over.status).toBe(429);
    expect(over.json.error).toMatch(/open link codes/);
  });

  it("revoking a device ends the link codes it opened", async () => {
    const user = freshUser();
    const lost = await token(user, "lost");
    const { code } = (await api("/api/link-codes", { bearer: lost, method: "POST" })).json as { code: string };
    expect((await api("/api/devices/lost", { bearer: await token(user, "keeper"), method: "DELETE" })).status).toBe(200);
    expect((await claim(code, "203.0.113.20")).status).toBeGreaterThanOrEqual(400);
  });

  it("a new device gets a full-entropy id", async () => {
    const bearer = await token(freshUser(), "phone");
    const { code } = (await api("/api/link-codes", { bearer, method: "POST" })).json as { code: string };
    const claimed = await claim(code, "203.0.113.30");
    expect(claimed.json.deviceId).toMatch(/^d-[0-9a-f]{32}$/);
  });

  it("a link code can be looked at (whose account it opens) without spending it", async () => {
    const user = freshUser();
    const bearer = await token(user, "phone");
    const { code } = (await api("/api/link-codes", { bearer, method: "POST" })).json as { code: string };
    const peek = await api("/api/public/link-peek", { method: "POST", body: { code }, address: "203.0.113.40" });
    expect(peek).toEqual({ status: 200, json: { userId: user } });
    expect((await claim(code, "203.0.113.40")).status).toBe(200);
    expect((await api("/api/public/link-peek", { method: "POST", body: { code }, address: "203.0.113.40" })).status).toBe(410);
  });
});
