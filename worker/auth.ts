/**
 * Who is calling: the one place that turns a bearer token into a user and a device.
 * Access tokens are short-lived HS256 JWTs (jose) signed with `AUTH_SECRET`: `sub` = user id
 * (also the sync room), `did` = device id, `exp`, `iat`, `iss` and `aud` required, and a key id
 * (`kid`) in the header naming the secret that signed it, so an operator can rotate the secret:
 * the new one in `AUTH_SECRET`, the old one in `AUTH_SECRET_PREVIOUS` until the last access token
 * it signed has expired. Devices stay signed in through their refresh credential (see
 * deviceRegistry.ts), which no secret signs. Replace `verifyToken` to plug in another scheme
 * (e.g. Cloudflare Access); nothing else reads tokens.
 */
import { SignJWT, decodeProtectedHeader, errors, jwtVerify } from "jose";
import { ACCESS_TOKEN_MAX_TTL_S, ACCESS_TOKEN_TTL_S, AUTH_SECRET_MIN_BYTES } from "../shared/constants.ts";

/** Who signs and who accepts the tokens: a token for something else never opens CoBrain. */
export const TOKEN_ISSUER = "cobrain";
export const TOKEN_AUDIENCE = "cobrain-sync";

export interface SecretEnv {
  AUTH_SECRET?: string;
  /** The secret before the last rotation, still accepted for tokens it signed (optional). */
  AUTH_SECRET_PREVIOUS?: string;
}

export interface Identity {
  userId: string;
  deviceId: string;
}

/** User and device ids travel inside the WebSocket subprotocol, where `,` and `=` would break parsing. */
export const ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

export class AuthError extends Error {
  readonly status: 401 | 403;

  constructor(status: 401 | 403, message: string) {
    super(message);
    this.name = "AuthError";
    this.status = status; // no parameter property: `npm run token` runs this file type-stripped
  }
}

/** Why this secret must not sign tokens, or undefined when it is strong enough. */
export function secretProblem(secret: string | undefined): string | undefined {
  const bytes = new TextEncoder().encode(secret ?? "").length;
  if (bytes >= AUTH_SECRET_MIN_BYTES) return undefined;
  return (
    `${secret ? `AUTH_SECRET is only ${bytes} bytes` : "AUTH_SECRET is not set"}; it must be at least ${AUTH_SECRET_MIN_BYTES} bytes of randomness. ` +
    "Make one with `openssl rand -hex 32` and set it with `wrangler secret put AUTH_SECRET` (or in .dev.vars locally)."
  );
}

/**
 * One user id per person: "Alice", "alice" and fullwidth "ＡＬＩＣＥ" are the same user. Applied at
 * minting and at verification, so a token minted before this rule still opens the same room.
 */
export function normaliseUserId(userId: string): string {
  return userId.normalize("NFKC").toLowerCase();
}

const encoder = new TextEncoder();

/** The key id of a secret: a short hash that names it without revealing it. */
export async function keyId(secret: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(`cobrain-kid:${secret}`)));
  return Array.from(digest.slice(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function verifyToken(token: string, env: SecretEnv): Promise<Identity> {
  const problem = secretProblem(env.AUTH_SECRET);
  if (problem) throw new Error(problem);
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    throw new AuthError(401, "invalid token");
  }
  let secret: string | undefined;
  for (const candidate of [env.AUTH_SECRET, env.AUTH_SECRET_PREVIOUS]) {
    if (candidate && kid === (await keyId(candidate))) secret = candidate;
  }
  if (!secret) throw new AuthError(401, "this token was signed with a key the server no longer uses; sign in again");
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, encoder.encode(secret), {
      algorithms: ["HS256"],
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      requiredClaims: ["exp", "iat", "sub", "did"],
      maxTokenAge: ACCESS_TOKEN_MAX_TTL_S,
    }));
  } catch (error) {
    throw new AuthError(401, error instanceof errors.JWTExpired ? "token expired; sign in again" : "invalid token");
  }
  // A token may not outlive the longest access lifetime, whoever minted it.
  if (Number(payload.exp) - Number(payload.iat) > ACCESS_TOKEN_MAX_TTL_S) throw new AuthError(401, "invalid token: it lasts longer than an access token may");
  const { did } = payload;
  const sub = typeof payload.sub === "string" ? normaliseUserId(payload.sub) : undefined;
  if (typeof sub !== "string" || !ID_PATTERN.test(sub)) throw new AuthError(401, "token has no valid user (sub)");
  if (typeof did !== "string" || !ID_PATTERN.test(did)) throw new AuthError(401, "token has no valid device (did)");
  return { userId: sub, deviceId: did };
}

/** Mints a short-lived access token (the Worker on link and refresh; tests). */
export async function mintToken(secret: string, { userId: given, deviceId, ttlSeconds = ACCESS_TOKEN_TTL_S }: Identity & { ttlSeconds?: number }): Promise<string> {
  const userId = normaliseUserId(given);
  if (!ID_PATTERN.test(userId) || !ID_PATTERN.test(deviceId)) {
    throw new Error(`user and device ids must match ${ID_PATTERN}`);
  }
  if (!(ttlSeconds > 0 && ttlSeconds <= ACCESS_TOKEN_MAX_TTL_S)) throw new Error(`an access token lasts at most ${ACCESS_TOKEN_MAX_TTL_S} s`);
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub: userId, did: deviceId })
    .setProtectedHeader({ alg: "HS256", typ: "JWT", kid: await keyId(secret) })
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .sign(encoder.encode(secret));
}
