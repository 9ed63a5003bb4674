import { describe, expect, it } from "vitest";
import type { ApiAccountKey } from "../../../shared/api";
import { openMemoryReplica } from "../../../testing/nodeReplica";
import { serialised } from "../../../testing/replicaTools";
import { serverApi } from "../api/serverApi";
import { deriveIdKey, deriveKeyId, newSecret } from "./keyDerivation";
import { DEVICE_KEY_PAIR_SETTING, keyCheckWithDistribution, keyForSecret, registrationsSettled, WrongSecretError } from "./keyDistribution";
import { createAccountKey, DeviceKeyring } from "./keyStore";
import { wrapIdKey } from "./keyWrap";

const server = (over: Partial<ApiAccountKey>): ApiAccountKey => ({ keyId: null, generation: null, wrappedIdKey: null, olderKeyIds: [], wrappedForDevice: null, plaintextLog: null, ...over });

describe("checking a typed phrase's secret against the account", () => {
  it("gives the account key, with the idKey from the server's sealed copy", async () => {
    const first = newSecret();
    const idKey = deriveIdKey(first);
    const rotated = newSecret();
    const key = await keyForSecret(rotated, server({ keyId: deriveKeyId(rotated), generation: 2, wrappedIdKey: await wrapIdKey(rotated, idKey), olderKeyIds: [deriveKeyId(first)] }));
    expect(key).toMatchObject({ generation: 2, keyId: deriveKeyId(rotated), secret: rotated, idKey });
  });

  it("derives generation 0's idKey when the first device has not stored its sealed copy yet", async () => {
    const secret = newSecret();
    expect((await keyForSecret(secret, server({ keyId: deriveKeyId(secret), generation: 0 }))).idKey).toEqual(deriveIdKey(secret));
  });

  it("tells a wrong phrase from an older one, and refuses an account without a key", async () => {
    const [old, current] = [newSecret(), newSecret()];
    const account = server({ keyId: deriveKeyId(current), generation: 1, wrappedIdKey: "x", olderKeyIds: [deriveKeyId(old)] });
    await expect(keyForSecret(newSecret(), account)).rejects.toThrow(/not this account's/);
    await expect(keyForSecret(old, account)).rejects.toThrow(/older recovery phrase/);
    await expect(keyForSecret(current, server({}))).rejects.toThrow(WrongSecretError);
    // A later generation needs the sealed idKey: without it the phrase alone cannot give the ids' key.
    await expect(keyForSecret(current, { ...account, wrappedIdKey: null })).rejects.toThrow(/sealed id key/);
  });
});

describe("a connection's key check", () => {
  it("does not wait for this device's public key to be registered, and two checks in a row register one key pair, the one kept", async () => {
    const db = await openMemoryReplica();
    const exclusive = serialised(db);
    const key = createAccountKey();
    const keyring = new DeviceKeyring([key], key.generation);
    const account = server({ keyId: key.keyId, generation: key.generation, wrappedIdKey: "sealed" });
    // The server's answers, by hand: the registration is held until the test lets it go.
    const registered: string[] = [];
    let letGo = () => {};
    const held = new Promise<void>((resolve) => (letGo = resolve));
    const api = serverApi("http://server.test", {
      token: async () => "token",
      fetch: async (input, init) => {
        const path = new URL(String(input instanceof Request ? input.url : input)).pathname;
        if (path === "/api/keys") return Response.json(account);
        if (path === "/api/keys/device") {
          registered.push(JSON.parse(String(init?.body)).publicKey);
          await held;
          return Response.json({ ok: true });
        }
        return Response.json({ error: "unexpected" }, { status: 404 });
      },
    });
    // Both checks answer while the first registration is still on its way.
    expect(await keyCheckWithDistribution(keyring, exclusive, api, "phone")).toEqual({ ok: true, keyId: key.keyId });
    expect(await keyCheckWithDistribution(keyring, exclusive, api, "phone")).toEqual({ ok: true, keyId: key.keyId });
    letGo();
    await registrationsSettled();
    const stored = JSON.parse(String((await db.exec("SELECT value FROM local_settings WHERE key = ?", [DEVICE_KEY_PAIR_SETTING])).rows[0]![0]));
    expect(registered).toEqual([JSON.stringify(stored.publicKey)]);
    expect(stored.registeredAs).toBe("phone");
    await db.close();
  });
});
