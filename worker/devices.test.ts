import { env, exports } from "cloudflare:workers";
import { tags } from "@vlcn.io/ws-common";
import { describe, expect, it } from "vitest";
import { LINK_ATTEMPTS_PER_ADDRESS, LINK_CODE_TTL_MS } from "../shared/constants";
import { CloseCode, encodeSyncProtocol } from "../shared/syncProtocol";
import { verifyToken } from "./auth";
import { Device, noteChange, token, upgrade } from "../testing/workerd/device";

const freshUser = () => `dev-${crypto.randomUUID().slice(0, 8)}`;

async function api(path: string, { bearer, method = "GET", body, address }: { bearer?: string; method?: string; body?: unknown; address?: string } = {}) {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  if (address) headers["CF-Connecting-IP"] = address;
  const response = await exports.default.fetch(`http://cobrain.test${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function newCode(bearer: string) {
  const { status, json } = await api("/api/link-codes", { bearer, method: "POST" });
  expect(status).toBe(201);
  return json as { code: string; expiresAt: number };
}

describe("linking a device with a one-time code", () => {
  it("a code from a signed-in device gives a new device its own token for the same user", async () => {
    const user = freshUser();
    const phone = await token(user, "phone");
    const { code, expiresAt } = await newCode(phone);
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(expiresAt - Date.now()).toBeGreaterThan(LINK_CODE_TTL_MS - 5_000);

    const claimed = await api("/api/public/link-claim", { method: "POST", body: { code: code.toLowerCase().replace(/(....)/, "$1-"), name: "Tablet" } });
    expect(claimed.status).toBe(200);
    const identity = await verifyToken(claimed.json.token as string, env);
    expect(identity.userId).toBe(user);
    expect(identity.deviceId).not.toBe("phone");
    expect(Object.keys(claimed.json).sort()).toEqual(["deviceId", "refresh", "token", "userId"]); // nothing else leaves the server

    const devices = await api("/api/devices", { bearer: claimed.json.token as string });
    expect((devices.json as unknown as Array<{ name: string; current: boolean }>).map((d) => [d.name, d.current]).sort()).toEqual([
      ["", false],
      ["Tablet", true],
    ]);
  });

  it("refuses a reused code and an expired one", async () => {
    const bearer = await token(freshUser(), "phone");
    const { code } = await newCode(bearer);
    expect((await api("/api/public/link-claim", { method: "POST", body: { code }, address: "10.0.0.1" })).status).toBe(200);
    const again = await api("/api/public/link-claim", { method: "POST", body: { code }, address: "10.0.0.1" });
    expect(again).toEqual({ status: 410, json: { error: expect.stringMatching(/already used/) } });

    const { code: late } = await newCode(bearer);
    const store = env.LINK_CODES.get(env.LINK_CODES.idFromName("link-codes"));
    expect(await store.claim(late, "10.0.0.2", Date.now() + LINK_CODE_TTL_MS + 1)).toEqual({ ok: false, status: 410, error: expect.stringMatching(/expired/) });
  });

  it("stops a guesser: after too many wrong codes even the right one is refused for a while", async () => {
    const bearer = await token(freshUser(), "phone");
    const { code } = await newCode(bearer);
    const address = `192.0.2.${Math.floor(Math.random() * 250)}`;
    for (let i = 0; i < LINK_ATTEMPTS_PER_ADDRESS; i++) {
      expect((await api("/api/public/link-claim", { method: "POST", body: { code: "ZZZZZZZZ" }, address })).status).toBe(400);
    }
    expect((await api("/api/public/link-claim", { method: "POST", body: { code }, address })).status).toBe(429);
    expect((await api("/api/public/link-claim", { method: "POST", body: { code }, address: "198.51.100.7" })).status).toBe(200);
  });
});

describe("devices", () => {
  it("renames a device and refuses revoking the device in use", async () => {
    const user = freshUser();
    const phone = await token(user, "phone");
    await api("/api/me", { bearer: await token(user, "laptop") });
    expect((await api("/api/devices/laptop", { bearer: phone, method: "PATCH", body: { name: "Work laptop" } })).status).toBe(200);
    const list = (await api("/api/devices", { bearer: phone })).json as unknown as Array<{ deviceId: string; name: string }>;
    expect(list.find((d) => d.deviceId === "laptop")?.name).toBe("Work laptop");
    expect((await api("/api/devices/phone", { bearer: phone, method: "DELETE" })).status).toBe(400);
  });

  it("revoking closes the device's socket at once and refuses it afterwards, while other devices keep syncing", async () => {
    const user = freshUser();
    const a = await Device.connect(user, { deviceId: "a" });
    const b = await Device.connect(user, { deviceId: "b" });
    const c = await Device.connect(user, { deviceId: "c" });
    for (const d of [a, b, c]) d.announce();
    await Promise.all([a, b, c].map((d) => d.waitFor(tags.StartStreaming)));

    expect((await api("/api/devices/b", { bearer: await token(user, "a"), method: "DELETE" })).status).toBe(200);
    expect(await b.closed).toEqual({ code: CloseCode.Unauthorized, reason: "this device was revoked" });
    expect((await upgrade(encodeSyncProtocol({ auth: await token(user, "b"), room: user }))).status).toBe(401);
    expect((await api("/api/me", { bearer: await token(user, "b") })).status).toBe(401);

    a.push([noteChange("n1", "title", "still syncing")]);
    await c.waitFor(tags.Changes);
    expect(c.changes().map((ch) => ch[3])).toEqual(["still syncing"]);
  });
});
