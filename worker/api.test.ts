/**
 * The app's typed client against the real routes: `hc<ApiApp>` (the contract in shared/api.ts,
 * the type the app's own client uses) calling this Worker. Types are checked by `tsc -p worker`
 * (expectTypeOf) and by the compile-time check in index.ts; these tests check that what actually
 * crosses the wire has exactly the declared fields and statuses.
 */
import { env, exports } from "cloudflare:workers";
import { hc } from "hono/client";
import { describe, expect, expectTypeOf, it } from "vitest";
import type { ApiApp, ApiDevice, ApiIdentity, ApiLinkClaimed, ApiLinkCode, ApiLogStats } from "../shared/api";
import { mintToken } from "./auth";

const freshUser = () => `api-${crypto.randomUUID().slice(0, 8)}`;
const tokenFor = (userId: string, deviceId: string) => mintToken(env.AUTH_SECRET, { userId, deviceId });

/** The client as the app builds it, but its requests go straight into this Worker. */
const client = (bearer?: string) =>
  hc<ApiApp>("http://cobrain.test", {
    fetch: (input: RequestInfo | URL, init?: RequestInit) => exports.default.fetch(new Request(input, init)),
    headers: bearer ? { Authorization: `Bearer ${bearer}` } : {},
  });

/** Every field a type declares, once: the compiler keeps this list in step with the contract. */
const fields = <T>(all: Record<keyof T, true>) => Object.keys(all).sort();
const keysOf = (value: object) => Object.keys(value).sort();

describe("the /api contract, through the typed client", () => {
  it("/api/me, /api/log/stats and /api/token/renew answer exactly their declared shapes", async () => {
    const user = freshUser();
    const api = client(await tokenFor(user, "phone"));

    const me = await api.api.me.$get();
    expect(me.status).toBe(200);
    const identity = await me.json();
    expectTypeOf(identity).toEqualTypeOf<ApiIdentity>();
    expect(identity).toEqual({ userId: user, deviceId: "phone" });

    const stats = await (await api.api.log.stats.$get()).json();
    expectTypeOf(stats).toEqualTypeOf<ApiLogStats>();
    expect(keysOf(stats)).toEqual(fields<ApiLogStats>({ head: true, rows: true, peers: true, notes: true, snapshotSeq: true, serverSite: true }));

    const enrolled = await api.api.token.enroll.$post();
    expect(enrolled.status).toBe(200);
    if (enrolled.status !== 200) throw new Error("unreachable");
    expect(keysOf(await enrolled.json())).toEqual(["refresh"]);
  });

  it("link codes: created with 201, claimed with a token, refused with the declared statuses and words", async () => {
    const user = freshUser();
    const phone = client(await tokenFor(user, "phone"));

    const created = await phone.api["link-codes"].$post();
    expect(created.status).toBe(201);
    if (created.status !== 201) throw new Error("unreachable");
    const code = await created.json();
    expectTypeOf(code).toEqualTypeOf<ApiLinkCode>();
    expect(keysOf(code)).toEqual(fields<ApiLinkCode>({ code: true, expiresAt: true }));

    const claim = () => client().api.public["link-claim"].$post({ json: { code: code.code, name: "Tablet", platform: "web" } });
    const claimed = await claim();
    expect(claimed.status).toBe(200);
    if (claimed.status !== 200) throw new Error("unreachable");
    const body = await claimed.json();
    expectTypeOf(body).toEqualTypeOf<ApiLinkClaimed>();
    expect(keysOf(body)).toEqual(fields<ApiLinkClaimed>({ token: true, refresh: true, userId: true, deviceId: true }));
    expect(body.userId).toBe(user);

    const again = await claim();
    expect(again.status).toBe(410);
    if (again.status === 200) throw new Error("unreachable");
    expect(await again.json()).toEqual({ error: expect.stringMatching(/already used/) });
  });

  it("devices: listed with every declared field, renamed and revoked with typed answers", async () => {
    const user = freshUser();
    await client(await tokenFor(user, "laptop")).api.me.$get(); // the laptop is seen, so it is listed
    const phone = client(await tokenFor(user, "phone"));

    const list = await (await phone.api.devices.$get()).json();
    expectTypeOf(list).toEqualTypeOf<ApiDevice[]>();
    const deviceFields = fields<ApiDevice>({ deviceId: true, name: true, platform: true, createdAt: true, lastSeen: true, revokedAt: true, current: true });
    expect(list.map(keysOf)).toEqual([deviceFields, deviceFields]);
    expect(list.find((d) => d.current)?.deviceId).toBe("phone");

    const renamed = await phone.api.devices[":id"].$patch({ param: { id: "laptop" }, json: { name: "Work laptop" } });
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toEqual({ ok: true });
    const unnamed = await phone.api.devices[":id"].$patch({ param: { id: "laptop" }, json: { name: " " } });
    expect({ status: unnamed.status, body: await unnamed.json() }).toEqual({ status: 400, body: { error: "send { name }" } });

    const self = await phone.api.devices[":id"].$delete({ param: { id: "phone" } });
    expect(self.status).toBe(400);
    const missing = await phone.api.devices[":id"].$delete({ param: { id: "nobody" } });
    expect({ status: missing.status, body: await missing.json() }).toEqual({ status: 404, body: { error: "no such device" } });
    const revoked = await phone.api.devices[":id"].$delete({ param: { id: "laptop" } });
    expect({ status: revoked.status, body: await revoked.json() }).toEqual({ status: 200, body: { ok: true } });
  });

  it("a request without a token is refused with words, as the app's client expects", async () => {
    const refused = await client().api.devices.$get();
    const status: number = refused.status; // the bearer check's 401 is not in the route types
    expect(status).toBe(401);
    expect(await refused.json()).toEqual({ error: expect.stringMatching(/sign in first/) });
  });
});
