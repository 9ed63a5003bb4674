import { describe, expect, it } from "vitest";
import { fromBase64Url, toBase64Url } from "./bytes";
import { createDeviceKeyPair, unwrapIdKey, unwrapSecretForDevice, wrapIdKey, wrapSecretForDevice } from "./keyWrap";

const bytes32 = () => crypto.getRandomValues(new Uint8Array(32));

describe("key wrapping", () => {
  it("base64url round-trips every byte value", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(fromBase64Url(toBase64Url(all))).toEqual(all);
    expect(() => fromBase64Url("a+b")).toThrow(/base64/);
  });

  it("the idKey opens with the secret it was wrapped under, and not with another", async () => {
    const [secret, idKey] = [bytes32(), bytes32()];
    const wrapped = await wrapIdKey(secret, idKey);
    expect(await unwrapIdKey(secret, wrapped)).toEqual(idKey);
    await expect(unwrapIdKey(bytes32(), wrapped)).rejects.toThrow(/does not open/);
    // A flipped bit is caught (authenticated), never a wrong key silently adopted.
    const tampered = fromBase64Url(wrapped);
    tampered[tampered.length - 1]! ^= 1;
    await expect(unwrapIdKey(secret, toBase64Url(tampered))).rejects.toThrow(/does not open/);
  });

  it("a secret wrapped for a device opens only with that device's private key, generation and id", async () => {
    const [tablet, revoked] = await Promise.all([createDeviceKeyPair(), createDeviceKeyPair()]);
    const secret = bytes32();
    const wrapped = await wrapSecretForDevice(secret, 3, "d-tablet", tablet.publicKey);
    expect(await unwrapSecretForDevice(wrapped, 3, "d-tablet", tablet.privateKey)).toEqual(secret);
    await expect(unwrapSecretForDevice(wrapped, 3, "d-tablet", revoked.privateKey)).rejects.toThrow(/does not open/);
    await expect(unwrapSecretForDevice(wrapped, 2, "d-tablet", tablet.privateKey)).rejects.toThrow(/does not open/);
    await expect(unwrapSecretForDevice(wrapped, 3, "d-other", tablet.privateKey)).rejects.toThrow(/does not open/);
    await expect(unwrapSecretForDevice("garbage", 3, "d-tablet", tablet.privateKey)).rejects.toThrow(/malformed/);
  });
});
