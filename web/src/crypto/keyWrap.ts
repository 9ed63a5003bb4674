/**
 * Keys wrapped for the server to keep without being able to use them, all with WebCrypto only:
 *
 * - the idKey (stable across rotations; the phrase encodes only `secret`) wrapped under a key
 *   derived from the current generation's secret (HKDF-SHA-256 → AES-256-GCM), so a device that
 *   holds a secret (from the phrase or a QR link) gets the idKey from the server;
 * - a new generation's secret wrapped for one device's ECDH P-256 public key (an ephemeral key
 *   pair, ECDH, HKDF-SHA-256 → AES-256-GCM), so a rotation reaches every remaining device, also
 *   one that is offline, and the revoked device (whose public key is not used) gets nothing.
 *
 * Every envelope carries a format version and binds, as associated data, what it is for (the
 * generation, the device), so the server cannot hand one device's wrap to another.
 */
import { fromBase64Url, toBase64Url } from "./bytes";

const WRAP_FORMAT = 1;
const NONCE_BYTES = 12;
const encoder = new TextEncoder();

async function hkdfAesKey(material: Uint8Array, info: string, usages: KeyUsage[]): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey("raw", material as BufferSource, "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(32), info: encoder.encode(info) }, base, { name: "AES-GCM", length: 256 }, false, usages);
}

async function seal(key: CryptoKey, plaintext: Uint8Array, aad: string): Promise<Uint8Array> {
  const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv: nonce, additionalData: encoder.encode(aad) }, key, plaintext as BufferSource));
  const out = new Uint8Array(1 + NONCE_BYTES + sealed.length);
  out[0] = WRAP_FORMAT;
  out.set(nonce, 1);
  out.set(sealed, 1 + NONCE_BYTES);
  return out;
}

async function open(key: CryptoKey, envelope: Uint8Array, aad: string, what: string): Promise<Uint8Array> {
  if (envelope[0] !== WRAP_FORMAT || envelope.length < 1 + NONCE_BYTES + 16) throw new Error(`${what} is not in a format this version reads`);
  try {
    return new Uint8Array(
      await crypto.subtle.decrypt({ name: "AES-GCM", iv: envelope.slice(1, 1 + NONCE_BYTES), additionalData: encoder.encode(aad) }, key, envelope.slice(1 + NONCE_BYTES)),
    );
  } catch {
    throw new Error(`${what} does not open with this key`);
  }
}

/** The idKey sealed under a key derived from one generation's secret. */
export async function wrapIdKey(secret: Uint8Array, idKey: Uint8Array): Promise<string> {
  return toBase64Url(await seal(await hkdfAesKey(secret, "cobrain idKey wrap v1", ["encrypt"]), idKey, "cobrain idKey"));
}

export async function unwrapIdKey(secret: Uint8Array, wrapped: string): Promise<Uint8Array> {
  return open(await hkdfAesKey(secret, "cobrain idKey wrap v1", ["decrypt"]), fromBase64Url(wrapped), "cobrain idKey", "the account's id key");
}

/** A device's key pair for receiving rotated secrets; the private half never leaves the device. */
export interface DeviceKeyPair {
  publicKey: JsonWebKey;
  privateKey: JsonWebKey;
}

const ECDH = { name: "ECDH", namedCurve: "P-256" } as const;

export async function createDeviceKeyPair(): Promise<DeviceKeyPair> {
  // Extractable so it can be kept in local_settings with the device's other credentials.
  const pair = (await crypto.subtle.generateKey(ECDH, true, ["deriveBits"])) as CryptoKeyPair;
  return { publicKey: await crypto.subtle.exportKey("jwk", pair.publicKey), privateKey: await crypto.subtle.exportKey("jwk", pair.privateKey) };
}

const secretAad = (generation: number, deviceId: string) => `cobrain secret wrap v1|${generation}|${deviceId}`;

async function sharedKey(privateKey: CryptoKey, publicKey: CryptoKey, aad: string, usages: KeyUsage[]): Promise<CryptoKey> {
  const bits = new Uint8Array(await crypto.subtle.deriveBits({ name: "ECDH", public: publicKey }, privateKey, 256));
  return hkdfAesKey(bits, aad, usages);
}

/** Seals one generation's secret so that only the device holding `publicKey`'s private half opens it. */
export async function wrapSecretForDevice(secret: Uint8Array, generation: number, deviceId: string, publicKey: JsonWebKey): Promise<string> {
  const recipient = await crypto.subtle.importKey("jwk", publicKey, ECDH, false, []);
  const ephemeral = (await crypto.subtle.generateKey(ECDH, true, ["deriveBits"])) as CryptoKeyPair;
  const aad = secretAad(generation, deviceId);
  const sealed = await seal(await sharedKey(ephemeral.privateKey, recipient, aad, ["encrypt"]), secret, aad);
  const ephemeralPublic = new Uint8Array(await crypto.subtle.exportKey("raw", ephemeral.publicKey));
  return `${toBase64Url(ephemeralPublic)}.${toBase64Url(sealed)}`;
}

export async function unwrapSecretForDevice(wrapped: string, generation: number, deviceId: string, privateKey: JsonWebKey): Promise<Uint8Array> {
  const [ephemeralText, sealedText, extra] = wrapped.split(".");
  if (!ephemeralText || !sealedText || extra !== undefined) throw new Error("the new account key sent for this device is malformed");
  const mine = await crypto.subtle.importKey("jwk", privateKey, ECDH, false, ["deriveBits"]);
  const ephemeral = await crypto.subtle.importKey("raw", fromBase64Url(ephemeralText) as BufferSource, ECDH, false, []);
  const aad = secretAad(generation, deviceId);
  return open(await sharedKey(mine, ephemeral, aad, ["decrypt"]), fromBase64Url(sealedText), aad, "the new account key sent for this device");
}
