/**
 * Who is calling: the one place that turns a bearer token into a user and a device.
 * Tokens are HS256 JWTs signed with the `AUTH_SECRET` secret (Hono's JWT helper): `sub` = user id
 * (also the sync room), `did` = device id. Replace `verifyToken` to plug in another scheme
 * (e.g. Cloudflare Access); nothing else reads tokens.
 */
import { sign, verify } from "hono/jwt";
import { JwtTokenExpired } from "hono/utils/jwt/types";
import { AUTH_SECRET_MIN_BYTES } from "../shared/constants.ts";

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

export async function verifyToken(token: string, env: { AUTH_SECRET?: string }): Promise<Identity> {
  const problem = secretProblem(env.AUTH_SECRET);
  if (problem) throw new Error(problem);
  let payload: Record<string, unknown>;
  try {
    payload = await verify(token, env.AUTH_SECRET!, "HS256");
  } catch (error) {
    throw new AuthError(401, error instanceof JwtTokenExpired ? "token expired; sign in again" : "invalid token");
  }
  const { did } = payload;
  const sub = typeof payload.sub === "string" ? normaliseUserId(payload.sub) : undefined;
  if (typeof sub !== "string" || !ID_PATTERN.test(sub)) throw new AuthError(401, "token has no valid user (sub)");
  if (typeof did !== "string" || !ID_PATTERN.test(did)) throw new AuthError(401, "token has no valid device (did)");
  return { userId: sub, deviceId: did };
}

/** Mints a device token (used by `npm run token` and by tests). */
export async function mintToken(secret: string, { userId: given, deviceId, days }: Identity & { days: number }): Promise<string> {
  const userId = normaliseUserId(given);
  if (!ID_PATTERN.test(userId) || !ID_PATTERN.test(deviceId)) {
    throw new Error(`user and device ids must match ${ID_PATTERN}`);
  }
  const now = Math.floor(Date.now() / 1000);
  return sign({ sub: userId, did: deviceId, iat: now, exp: now + Math.round(days * 86_400) }, secret, "HS256");
}
