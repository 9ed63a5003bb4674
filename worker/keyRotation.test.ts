/**
 * Rotating the account key in the UserLog (issue 14): the live state under the next generation
 * replaces the log in one transaction, guarded by a compare-and-set, in workerd.
 */
import { env, exports } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { encode, tags, type Change } from "@vlcn.io/ws-common";
import { describe, expect, it } from "vitest";
import type { ApiAccountKey, ApiKeyRotation } from "../shared/api";
import { CloseCode } from "../shared/syncProtocol";
import { ENVELOPE_HEADER_BYTES, ENVELOPE_TAG_BYTES } from "../shared/envelope";
import { Device, envelopeShaped, noteChange, token } from "../testing/workerd/device";
import { AccountKeyStore } from "./accountKey";
import { AccountKeys } from "./accountKeys";
import { ChangeLogStore } from "./changeLogStore";

const K0 = "0".repeat(32);
const K1 = "1".repeat(32);
const freshUser = () => `rot-${crypto.randomUUID().slice(0, 8)}`;
const stub = (userId: string) => env.USER_LOG.get(env.USER_LOG.idFromName(userId));

async function api(bearer: string, path: string, method = "GET", body?: unknown) {
  const response = await exports.default.fetch(`http://cobrain.test${path}`, {
    method,
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${bearer}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const note = (id: string, text: string, generation: number, dbVersion: bigint) => noteChange(id, "title", envelopeShaped(generation, text), { dbVersion });

const b64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
const frame = (sender: Uint8Array, changes: Change[]) => b64url(encode({ _tag: tags.Changes, sender, since: [0n, 0], changes }));

/** An account with a key (generation 0), a phone that pushed two notes, a tablet, a revoked device. */
async function account() {
  const user = freshUser();
  const [phone, tablet, lost] = await Promise.all([token(user, "phone"), token(user, "tablet"), token(user, "lost")]);
  const device = await Device.connect(user, { deviceId: "phone", key: K0 });
  device.announce();
  await device.waitFor(tags.StartStreaming);
  device.push([note("n1", "old one", 0, 1n), note("n2", "old two", 0, 2n)]);
  device.ping();
  await device.waitFor(tags.Pong);
  expect((await api(phone, "/api/keys/init", "POST", { keyId: K0, generation: 0 })).status).toBe(200);
  expect((await api(phone, "/api/keys/id-key", "POST", { keyId: K0, wrappedIdKey: "id-under-k0" })).status).toBe(200);
  // Set once: nobody swaps the wrapped idKey afterwards.
  expect((await api(tablet, "/api/keys/id-key", "POST", { keyId: K0, wrappedIdKey: "swapped" })).status).toBe(409);
  for (const [bearer, publicKey] of [[phone, "pk-phone"], [tablet, "pk-tablet"], [lost, "pk-lost"]] as const) {
    expect((await api(bearer, "/api/keys/device", "POST", { publicKey })).status).toBe(200);
  }
  expect((await api(phone, "/api/devices/lost", "DELETE")).status).toBe(200);
  const rotation = (over: Partial<ApiKeyRotation> = {}): ApiKeyRotation => ({
    expectedHead: 2,
    expectedKeyId: K0,
    generation: 1,
    keyId: K1,
    wrappedIdKey: "id-under-k1",
    wraps: { phone: "for-phone", tablet: "for-tablet" },
    changes: frame(device.site, [note("n1", "new one", 1, 1n), note("n2", "new two", 1, 2n)]),
    ...over,
  });
  return { user, phone, tablet, lost, device, rotation };
}

/** The titles in the log, read back from the test's envelopes. */
const titles = (user: string) =>
  runInDurableObject(stub(user), (_i, state) =>
    state.storage.sql
      .exec("SELECT val FROM log WHERE cid = 'title' ORDER BY seq")
      .toArray()
      .map((r) => new TextDecoder().decode(new Uint8Array(r.val as ArrayBuffer).subarray(ENVELOPE_HEADER_BYTES + 1, -ENVELOPE_TAG_BYTES))),
  );

describe("key rotation in the UserLog", () => {
  it("replaces the log with the new state, records the generation, wraps for remaining devices only, and moves open sockets", async () => {
    const { user, phone, tablet, lost, device, rotation } = await account();
    const devices = (await api(phone, "/api/keys/devices")).json as unknown as Array<{ deviceId: string }>;
    expect(devices.map((d) => d.deviceId)).toEqual(["phone", "tablet"]); // the revoked one gets nothing

    const rotated = await api(phone, "/api/keys/rotate", "POST", rotation({ wraps: { phone: "for-phone", tablet: "for-tablet", lost: "for-lost" } }));
    expect(rotated).toEqual({ status: 200, json: { ok: true, generation: 1, appended: 2 } });
    expect(await titles(user)).toEqual(["new one", "new two"]);
    expect((await device.closed).code).toBe(CloseCode.KeyRotated);

    const forTablet = (await api(tablet, "/api/keys")).json as unknown as ApiAccountKey;
    expect(forTablet).toEqual({ generation: 1, keyId: K1, wrappedIdKey: "id-under-k1", olderKeyIds: [K0], wrappedForDevice: "for-tablet", plaintextLog: null });
    expect((await api(lost, "/api/keys")).status).toBe(401);
    const stored = await runInDurableObject(stub(user), (_i, state) => state.storage.sql.exec("SELECT device_id FROM device_key_wraps").toArray().map((r) => r.device_id));
    expect(stored.sort()).toEqual(["phone", "tablet"]); // a wrap sent for the revoked device is never kept
  });

  it("refuses a stale head (a change the rotating device has not seen), an old key id, and a missing device's wrap; nothing changes", async () => {
    const { user, phone, tablet, rotation } = await account();
    // The tablet pushes a change the phone has not received.
    const other = await Device.connect(user, { deviceId: "tablet", key: K0 });
    other.announce();
    await other.waitFor(tags.StartStreaming);
    other.push([note("n3", "from the tablet", 0, 1n)]);
    other.ping();
    await other.waitFor(tags.Pong);

    const stale = await api(phone, "/api/keys/rotate", "POST", rotation());
    expect(stale.status).toBe(409);
    expect(stale.json.error).toMatch(/has not seen/);
    const seen = { expectedHead: 5 };
    expect((await api(phone, "/api/keys/rotate", "POST", rotation({ ...seen, expectedKeyId: "k-old" }))).json.error).toMatch(/changed meanwhile/);
    expect((await api(phone, "/api/keys/rotate", "POST", rotation({ ...seen, wraps: { phone: "for-phone" } }))).json.error).toMatch(/joined meanwhile \(tablet\)/);
    expect((await api(tablet, "/api/keys/rotate", "POST", rotation(seen))).json.error).toMatch(/site id is not this device's/);

    expect(await titles(user)).toEqual(["old one", "old two", "from the tablet"]);
    expect(((await api(phone, "/api/keys")).json as unknown as ApiAccountKey).generation).toBe(0);
    // With everything seen, the same rotation goes through.
    expect((await api(phone, "/api/keys/rotate", "POST", rotation({ expectedHead: 3 }))).status).toBe(200);
  });

  it("is one transaction: a failure half-way through the new state leaves the old log and the old key", async () => {
    const { user, device } = await account();
    await runInDurableObject(stub(user), (_instance, state) => {
      const store = new ChangeLogStore(state.storage);
      const accountKey = new AccountKeyStore(state.storage.sql);
      const keys = new AccountKeys(state.storage.sql, accountKey);
      // The second change has a value no wire type stores: it throws after the first was written.
      const broken = [note("n1", "new one", 1, 1n), noteChange("n2", "title", true, { dbVersion: 2n })];
      expect(() =>
        store.replaceLog(device.site, broken, 2, () => {
          keys.rotate(1, K1, "id-under-k1", {});
          return undefined;
        }),
      ).toThrow();
      expect(accountKey.current()).toEqual({ keyId: K0, generation: 0 });
      expect(store.head).toBe(2);
    });
    expect(await titles(user)).toEqual(["old one", "old two"]);
  });

  it("refuses a malformed rotation before touching storage", async () => {
    const { phone, device, rotation } = await account();
    expect((await api(phone, "/api/keys/rotate", "POST", rotation({ changes: "not base64!" }))).status).toBe(400);
    expect((await api(phone, "/api/keys/rotate", "POST", rotation({ generation: 0 }))).status).toBe(400);
    expect((await api(phone, "/api/keys/rotate", "POST", rotation({ changes: b64url(new Uint8Array([tags.Changes, 1, 2])) }))).json.error).toMatch(/could not be read/);
    expect((await api(phone, "/api/keys/rotate", "POST", rotation({ keyId: "short" }))).json.error).toMatch(/32 hex/);
    // A value still sealed with the old generation would be unreadable to every device after the swap.
    const stale = frame(device.site, [note("n1", "old key", 0, 1n)]);
    expect((await api(phone, "/api/keys/rotate", "POST", rotation({ changes: stale }))).json.error).toMatch(/sealed with key generation 0, not 1/);
  });
});
