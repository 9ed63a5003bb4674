/** Short-lived access tokens and rotating refresh credentials (issue 13), through the real Worker. */
import { env, exports } from "cloudflare:workers";
import { SignJWT } from "jose";
import { tags } from "@vlcn.io/ws-common";
import { describe, expect, it } from "vitest";
import { ACCESS_TOKEN_MAX_TTL_S } from "../shared/constants";
import { CloseCode } from "../shared/syncProtocol";
import { app } from "./index";
import { keyId, mintToken, TOKEN_AUDIENCE, TOKEN_ISSUER, verifyToken } from "./auth";
import { Device, token } from "../testing/workerd/device";

const freshUser = () => `tok-${crypto.randomUUID().slice(0, 8)}`;

async function api(path: string, { bearer, method = "GET", body }: { bearer?: string; method?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = { "Content-Type": "application/json", "CF-Connecting-IP": `198.18.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}` };
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  const response = await exports.default.fetch(`http://cobrain.test${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** A new device linked with a code from `bearer`'s device: its token and refresh credential. */
async function linkDevice(bearer: string, name: string) {
  const { code } = (await api("/api/link-codes", { bearer, method: "POST" })).json as { code: string };
  const claimed = await api("/api/public/link-claim", { method: "POST", body: { code, name } });
  expect(claimed.status).toBe(200);
  return claimed.json as { token: string; refresh: string; deviceId: string };
}

const refresh = (credential: string) => api("/api/public/token/refresh", { method: "POST", body: { refresh: credential } });

const sign = async (claims: Record<string, unknown>, { secret = env.AUTH_SECRET, kid }: { secret?: string; kid?: string } = {}) =>
  new SignJWT(claims).setProtectedHeader({ alg: "HS256", kid: kid ?? (await keyId(secret)) }).sign(new TextEncoder().encode(secret));

describe("access tokens", () => {
  const now = () => Math.floor(Date.now() / 1000);
  const good = () => ({ sub: "alice", did: "d", iat: now(), exp: now() + 600, iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE });

  it("last minutes, and one without exp, iss or aud, or lasting over an hour, is refused", async () => {
    const minted = await verifyToken(await token("alice", "d"), env);
    expect(minted).toEqual({ userId: "alice", deviceId: "d" });
    await expect(mintToken(env.AUTH_SECRET, { userId: "alice", deviceId: "d", ttlSeconds: ACCESS_TOKEN_MAX_TTL_S + 1 })).rejects.toThrow(/at most/);
    expect(await verifyToken(await sign(good()), env)).toEqual({ userId: "alice", deviceId: "d" });
    const { exp: _exp, ...noExp } = good();
    const { iss: _iss, ...noIss } = good();
    const { aud: _aud, ...noAud } = good();
    for (const claims of [noExp, noIss, noAud, { ...good(), aud: "someone-else" }, { ...good(), iss: "someone-else" }, { ...good(), exp: now() + 2 * 86_400 }]) {
      await expect(verifyToken(await sign(claims), env), JSON.stringify(claims)).rejects.toMatchObject({ status: 401 });
    }
  });

  it("a key id in the header lets the secret rotate without signing anyone out", async () => {
    const old = "o".repeat(40);
    const fresh = "n".repeat(40);
    const byOld = await mintToken(old, { userId: "alice", deviceId: "d" });
    expect(await verifyToken(byOld, { AUTH_SECRET: fresh, AUTH_SECRET_PREVIOUS: old })).toEqual({ userId: "alice", deviceId: "d" });
    await expect(verifyToken(byOld, { AUTH_SECRET: fresh })).rejects.toThrow(/no longer uses/);
    // A token naming the current key but signed with another is still refused.
    await expect(verifyToken(await sign(good(), { secret: old, kid: await keyId(fresh) }), { AUTH_SECRET: fresh })).rejects.toThrow(/invalid token/);
    const response = await app.fetch(new Request("http://cobrain.test/api/me", { headers: { Authorization: `Bearer ${byOld}` } }), { ...env, AUTH_SECRET: fresh, AUTH_SECRET_PREVIOUS: old } as never);
    expect(response.status).toBe(200);
  });
});

describe("refresh credentials", () => {
  it("rotate on every use; the spent one coming back revokes the device and tells the others", async () => {
    const user = freshUser();
    const phone = await token(user, "phone");
    const tablet = await linkDevice(phone, "Tablet");
    const socket = await Device.connect(user, { deviceId: tablet.deviceId });
    socket.announce();
    await socket.waitFor(tags.StartStreaming);
    const { code } = (await api("/api/link-codes", { bearer: tablet.token, method: "POST" })).json as { code: string };

    const first = await refresh(tablet.refresh);
    expect(first.status).toBe(200);
    const next = first.json as { token: string; refresh: string };
    expect(next.refresh).not.toBe(tablet.refresh);
    expect(await verifyToken(next.token, env)).toEqual({ userId: user, deviceId: tablet.deviceId });
    const second = await refresh(next.refresh);
    expect(second.status).toBe(200);

    // Someone replays the first credential (copied before it was spent).
    const replay = await refresh(tablet.refresh);
    expect(replay.status).toBe(401);
    expect(replay.json.error).toMatch(/already used/);
    // The device is revoked at once: its socket, its newest credential and its tokens end.
    expect(await socket.closed).toEqual({ code: CloseCode.Unauthorized, reason: "this device was revoked" });
    expect((await refresh((second.json as { refresh: string }).refresh)).status).toBe(401);
    expect((await api("/api/me", { bearer: (second.json as { token: string }).token })).status).toBe(401);
    expect((await api("/api/public/link-claim", { method: "POST", body: { code } })).status).toBe(400);
    // The phone is told.
    const alerts = (await api("/api/alerts", { bearer: phone })).json as unknown as Array<{ deviceId: string; message: string }>;
    expect(alerts).toEqual([expect.objectContaining({ deviceId: tablet.deviceId, message: expect.stringMatching(/"Tablet" was used twice/) })]);
    const devices = (await api("/api/devices", { bearer: phone })).json as unknown as Array<{ deviceId: string; revokedAt: number | null }>;
    expect(devices.find((d) => d.deviceId === tablet.deviceId)?.revokedAt).not.toBeNull();
  });

  it("revoking a device ends its refresh credential, its sockets and its open link codes", async () => {
    const user = freshUser();
    const phone = await token(user, "phone");
    const tablet = await linkDevice(phone, "Tablet");
    const socket = await Device.connect(user, { deviceId: tablet.deviceId });
    socket.announce();
    await socket.waitFor(tags.StartStreaming);
    const { code } = (await api("/api/link-codes", { bearer: tablet.token, method: "POST" })).json as { code: string };

    expect((await api(`/api/devices/${tablet.deviceId}`, { bearer: phone, method: "DELETE" })).status).toBe(200);
    expect(await socket.closed).toEqual({ code: CloseCode.Unauthorized, reason: "this device was revoked" });
    expect((await refresh(tablet.refresh)).status).toBe(401);
    expect((await api("/api/public/link-claim", { method: "POST", body: { code } })).status).toBe(400);
  });

  it("a device signed in with a bare access token enrols once; a second enrolment is refused", async () => {
    const bearer = await token(freshUser(), "laptop");
    const enrolled = await api("/api/token/enroll", { bearer, method: "POST" });
    expect(enrolled.status).toBe(200);
    expect((await api("/api/token/enroll", { bearer, method: "POST" })).status).toBe(409);
    expect((await refresh(enrolled.json.refresh as string)).status).toBe(200);
  });

  it("sign-out revokes the device on the server", async () => {
    const user = freshUser();
    const phone = await token(user, "phone");
    const laptop = await linkDevice(phone, "Laptop");
    expect((await api("/api/sign-out", { bearer: laptop.token, method: "POST" })).status).toBe(200);
    expect((await api("/api/me", { bearer: laptop.token })).status).toBe(401);
    expect((await refresh(laptop.refresh)).status).toBe(401);
    expect((await api("/api/me", { bearer: phone })).status).toBe(200);
  });
});
