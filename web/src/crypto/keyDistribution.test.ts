import { describe, expect, it } from "vitest";
import type { ApiAccountKey } from "../../../shared/api";
import { deriveIdKey, deriveKeyId, newSecret } from "./keyDerivation";
import { keyForSecret, WrongSecretError } from "./keyDistribution";
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
