/**
 * Upgrade without loss (issue 14): an account whose log was written in plaintext by the code
 * before encryption moves to encryption the first time an upgraded device syncs. Devices here are
 * real cr-sqlite replicas with the app's adapter against the real UserLog; the "old" devices sync
 * exactly as before (no key, no cipher), which is what today's code does.
 */
import { env, exports } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { hc } from "hono/client";
import { describe, expect, it } from "vitest";
import type { ApiApp } from "../shared/api";
import { ENVELOPE_VERSION } from "../shared/envelope";
import { CloseCode } from "../shared/syncProtocol";
import { checkAccountKey, serverAccountKeyApi } from "../web/src/crypto/accountKeyCheck";
import { DeviceKeyring } from "../web/src/crypto/keyStore";
import { Device } from "../testing/workerd/device";
import { SimDevice } from "../testing/workerd/simDevice";
import { mintToken } from "./auth";

const noFaults = { duplicate: 0, hold: 0, random: Math.random };
const api = async (userId: string, deviceId: string) =>
  serverAccountKeyApi(
    hc<ApiApp>("http://cobrain.test", {
      fetch: (input: RequestInfo | URL, init?: RequestInit) => exports.default.fetch(new Request(input, init)),
      headers: { Authorization: `Bearer ${await mintToken(env.AUTH_SECRET, { userId, deviceId })}` },
    }),
  );

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const titles = async (d: SimDevice) => (await d.rows("SELECT title FROM notes ORDER BY title")).map((r) => r[0]);

/** Every value in the user's log, as stored. */
async function storedValues(user: string): Promise<unknown[]> {
  return runInDurableObject(env.USER_LOG.get(env.USER_LOG.idFromName(user)), (_, state) =>
    state.storage.sql.exec("SELECT val FROM log").toArray().map((row) => row.val),
  );
}

describe("a plaintext log moves to encryption without loss", () => {
  it("the upgraded device reads the plaintext log first, then replaces it with its encrypted state; old versions are told to update", async () => {
    const user = `upg-${crypto.randomUUID().slice(0, 8)}`;
    // Today's code: no key, values in plaintext.
    const a = await SimDevice.create(user, "a", noFaults);
    const b = await SimDevice.create(user, "b", noFaults);
    await a.connect();
    await b.connect();
    await a.write("INSERT INTO notes (id, title) VALUES ('n1', 'alpha from A'), ('n2', 'beta from A')");
    await b.write("INSERT INTO notes (id, title) VALUES ('n3', 'gamma only B wrote')");
    await until(async () => (await titles(a)).length === 3 && (await titles(b)).length === 3, "the old devices to sync");
    expect((await storedValues(user)).some((v) => typeof v === "string" && v.includes("gamma"))).toBe(true); // plaintext today
    b.disconnect(); // B never comes back with the new version: its note lives on A and the server only

    // A device that has not read the plaintext log may not replace it: it must catch up first.
    const fresh = await SimDevice.create(user, "fresh", noFaults);
    const freshCheck = await checkAccountKey(new DeviceKeyring(), fresh.exclusive, await api(user, "fresh"));
    expect(freshCheck).toMatchObject({ ok: true, catchUpTo: expect.any(Number) });
    expect((await (await api(user, "fresh")).get()).keyId).toBeNull();

    // A is upgraded: it has read everything, so it creates the key and the plaintext log goes.
    a.disconnect();
    const ring = new DeviceKeyring();
    const check = await checkAccountKey(ring, a.exclusive, await api(user, "a"));
    const key = ring.current()!;
    expect(check).toEqual({ ok: true, keyId: key.keyId });
    expect(await storedValues(user)).toEqual([]);
    a.useKey(key);
    await a.connect(); // the server's site id is new: A resends everything it holds, encrypted

    await until(async () => (await storedValues(user)).length >= 3 * 2, "A to resend its state");
    const values = await storedValues(user);
    for (const v of values) {
      expect(v).toBeInstanceOf(ArrayBuffer);
      expect(new Uint8Array(v as ArrayBuffer)[0]).toBe(ENVELOPE_VERSION);
    }
    const bytes = values.map((v) => new TextDecoder().decode(v as ArrayBuffer)).join("");
    expect(bytes).not.toContain("gamma");

    // The old version is refused with the code it knows: update the app.
    const old = await Device.connect(user, { deviceId: "b" });
    expect(await old.closed).toMatchObject({ code: CloseCode.SchemaMismatch, reason: expect.stringMatching(/update the app/) });

    // Nothing lost: a new device with the key gets every note, B's included.
    const later = await SimDevice.create(user, "later", noFaults, key);
    await later.connect();
    await until(async () => (await titles(later)).length === 3, "the new device to receive every note");
    expect(await titles(later)).toEqual(["alpha from A", "beta from A", "gamma only B wrote"]);
    expect(later.refused).toEqual([]);
    for (const d of [a, b, fresh, later]) await d.close();
  }, 120_000);
});
