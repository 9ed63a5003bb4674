/**
 * The account key's id at the server (issue 14): registered once by the account's first device
 * (compare-and-set), checked on every sync socket. The device side of it, `checkAccountKey`, runs
 * here against the real Worker with real cr-sqlite replicas holding the keyrings.
 */
import { env, exports } from "cloudflare:workers";
import { hc } from "hono/client";
import { tags } from "@vlcn.io/ws-common";
import { describe, expect, it } from "vitest";
import type { ApiApp } from "../shared/api";
import { CloseCode } from "../shared/syncProtocol";
import { checkAccountKey, serverAccountKeyApi } from "../web/src/crypto/accountKeyCheck";
import { createAccountKey, loadKeyring } from "../web/src/crypto/keyStore";
import { serialised } from "../testing/replicaTools";
import { openReplica } from "../testing/workerd/replica";
import { Device } from "../testing/workerd/device";
import { mintToken } from "./auth";

const freshUser = () => `key-${crypto.randomUUID().slice(0, 8)}`;
const client = async (userId: string, deviceId: string) =>
  hc<ApiApp>("http://cobrain.test", {
    fetch: (input: RequestInfo | URL, init?: RequestInit) => exports.default.fetch(new Request(input, init)),
    headers: { Authorization: `Bearer ${await mintToken(env.AUTH_SECRET, { userId, deviceId })}` },
  });

describe("the account key id at the server", () => {
  it("is registered once: the first id wins, the same id again is fine, another is refused naming the first", async () => {
    const user = freshUser();
    const api = await client(user, "phone");
    expect(await (await api.api.keys.$get()).json()).toMatchObject({ keyId: null, generation: null, plaintextLog: null });
    const [a, b] = [createAccountKey(), createAccountKey()];
    const first = await api.api.keys.init.$post({ json: { keyId: a.keyId, generation: 0 } });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ keyId: a.keyId, generation: 0, created: true });
    const again = await api.api.keys.init.$post({ json: { keyId: a.keyId, generation: 0 } });
    expect(await again.json()).toEqual({ keyId: a.keyId, generation: 0, created: false });
    const other = await (await client(user, "laptop")).api.keys.init.$post({ json: { keyId: b.keyId, generation: 0 } });
    expect(other.status).toBe(409);
    expect(await other.json()).toMatchObject({ keyId: a.keyId, generation: 0, error: expect.stringMatching(/already has a key/) });
    expect(await (await api.api.keys.$get()).json()).toMatchObject({ keyId: a.keyId, generation: 0, plaintextLog: null });
    const bad = await api.api.keys.init.$post({ json: { keyId: "not hex", generation: 0 } });
    expect(bad.status).toBe(400);
  });

  it("a socket with the account's key syncs; another key is refused as old or wrong; no key is told to update", async () => {
    const user = freshUser();
    const key = createAccountKey();
    await (await client(user, "phone")).api.keys.init.$post({ json: { keyId: key.keyId, generation: 0 } });

    const good = await Device.connect(user, { key: key.keyId });
    good.announce();
    await good.waitFor(tags.StartStreaming);
    good.close();

    const wrong = await Device.connect(user, { key: createAccountKey().keyId, deviceId: "laptop" });
    expect(await wrong.closed).toEqual({ code: CloseCode.WrongAccountKey, reason: expect.stringMatching(/old or wrong key/) });

    const old = await Device.connect(user, { deviceId: "old-phone" });
    expect(await old.closed).toEqual({ code: CloseCode.SchemaMismatch, reason: expect.stringMatching(/encrypted.*update the app/) });
  });

  it("a socket offering a key on an account without one registers it, as the first device's init would", async () => {
    const user = freshUser();
    const key = createAccountKey();
    const device = await Device.connect(user, { key: key.keyId });
    device.announce();
    await device.waitFor(tags.StartStreaming);
    expect(await (await (await client(user, "phone")).api.keys.$get()).json()).toMatchObject({ keyId: key.keyId, generation: 0, plaintextLog: null });
    device.close();
  });
});

describe("checkAccountKey (device side, real keyrings in cr-sqlite)", () => {
  const device = async (user: string, deviceId: string) => {
    const db = serialised(await openReplica());
    return { exclusive: db, keyring: await db(loadKeyring), api: serverAccountKeyApi(await client(user, deviceId)) };
  };

  it("the first device creates the key, keeps it on the device and registers its id; a second device without it neither creates one nor syncs", async () => {
    const user = freshUser();
    const phone = await device(user, "phone");
    const check = await checkAccountKey(phone.keyring, phone.exclusive, phone.api);
    const key = phone.keyring.current()!;
    expect(check).toEqual({ ok: true, keyId: key.keyId });
    expect((await phone.exclusive(loadKeyring)).current()?.keyId).toBe(key.keyId); // stored, not just in memory

    const laptop = await device(user, "laptop");
    expect(await checkAccountKey(laptop.keyring, laptop.exclusive, laptop.api)).toEqual({ ok: false, code: CloseCode.NeedsAccountKey, reason: expect.any(String) });
    expect(laptop.keyring.current()).toBeUndefined();
    expect((await laptop.exclusive(loadKeyring)).current()).toBeUndefined();

    // Given the key (h14b: by phrase or QR), it syncs with it.
    await laptop.exclusive((db) => laptop.keyring.adopt(db, key));
    expect(await checkAccountKey(laptop.keyring, laptop.exclusive, laptop.api)).toEqual({ ok: true, keyId: key.keyId });
  });

  it("two first devices racing: one key wins; the loser drops the key it made and needs the account key", async () => {
    const user = freshUser();
    const [a, b] = [await device(user, "a"), await device(user, "b")];
    const results = await Promise.all([checkAccountKey(a.keyring, a.exclusive, a.api), checkAccountKey(b.keyring, b.exclusive, b.api)]);
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    const loser = results[0]!.ok ? b : a;
    expect(loser.keyring.current()).toBeUndefined();
    expect((await loser.exclusive(loadKeyring)).current()).toBeUndefined();
    expect(results.find((r) => !r.ok)).toMatchObject({ code: CloseCode.NeedsAccountKey });
  });

  it("a revoked device is told to sign in again (final), not left retrying as if offline", async () => {
    const user = freshUser();
    const phone = await device(user, "phone");
    await checkAccountKey(phone.keyring, phone.exclusive, phone.api);
    const laptop = await device(user, "laptop");
    await laptop.exclusive((db) => laptop.keyring.adopt(db, phone.keyring.current()!));
    expect(await checkAccountKey(laptop.keyring, laptop.exclusive, laptop.api)).toMatchObject({ ok: true }); // and so the server knows it
    expect((await (await client(user, "phone")).api.devices[":id"].$delete({ param: { id: "laptop" } })).status).toBe(200);
    expect(await checkAccountKey(laptop.keyring, laptop.exclusive, laptop.api)).toMatchObject({ ok: false, code: CloseCode.Unauthorized });
  });

  it("a device holding another key is told its key is old or wrong", async () => {
    const user = freshUser();
    const a = await device(user, "a");
    await checkAccountKey(a.keyring, a.exclusive, a.api);
    const b = await device(user, "b");
    await b.exclusive((db) => b.keyring.adopt(db, createAccountKey()));
    expect(await checkAccountKey(b.keyring, b.exclusive, b.api)).toMatchObject({ ok: false, code: CloseCode.WrongAccountKey });
  });
});
