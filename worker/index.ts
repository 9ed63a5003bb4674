/**
 * The CoBrain Worker: one origin for the app and its sync server.
 * - `GET /health`
 * - `GET /sync`: WebSocket upgrade; auth and room arrive base64'd in `Sec-WebSocket-Protocol`
 *   (the stock ws-client's format). Checked here, before any Durable Object wakes up.
 * - `/api/*`: JSON, bearer token (except `/api/public/*`), devices and linking; the account's
 *   database snapshot as raw bytes (`/api/snapshot`).
 * - everything else: the built PWA from Workers Static Assets (SPA fallback in wrangler.toml).
 */
import { Hono, type Context } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import { SNAPSHOT_SCHEMA_HEADER, SNAPSHOT_SEQ_HEADER, type ApiKeyConflict, type ApiKeyInitRequest, type ApiKeyRotation, type ApiLinkClaim, type ApiSchema } from "../shared/api";
import { SERVER_ERROR_RETRY_AFTER_S } from "../shared/constants";
import { parseSyncProtocol } from "../shared/syncProtocol";
import { AuthError, ID_PATTERN, mintToken, normaliseUserId, secretProblem, verifyToken, type Identity } from "./auth";
import { MAX_KEY_TEXT_CHARS } from "./accountKeys";
import { withSecurityHeaders } from "./securityHeaders";
import { KEY_ID_PATTERN } from "./accountKey";
import { coverageOf, snapshotHeaders } from "./snapshotHeaders";
import { DEVICE_HEADER, KEY_HEADER, USER_HEADER, type Env } from "./userLog";

export { LinkCodes } from "./linkCodes";
export { UserLog } from "./userLog";

type AppEnv = { Bindings: Env; Variables: { identity: Identity } };

export const app = new Hono<AppEnv>();

const userLogOf = (env: Env, userId: string) => env.USER_LOG.get(env.USER_LOG.idFromName(userId));
const linkCodes = (env: Env) => env.LINK_CODES.get(env.LINK_CODES.idFromName("link-codes"));

// Every response the Worker gives carries the security headers (static files get them from
// public/_headers), and nothing runs with a missing or guessable signing secret.
app.use("*", async (c, next) => {
  const problem = secretProblem(c.env.AUTH_SECRET);
  if (problem) {
    console.error(`CoBrain refuses to serve: ${problem}`);
    c.res = c.json({ error: problem }, 500);
  } else {
    await next();
  }
  c.res = withSecurityHeaders(c.res, new URL(c.req.url).pathname);
});

app.get("/health", (c) => c.json({ ok: true }));

app.get("/sync", async (c) => {
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
    return c.json({ error: "expected a WebSocket upgrade" }, 426);
  }
  const offered = c.req.header("Sec-WebSocket-Protocol") ?? "";
  if (offered.includes(",")) return c.json({ error: "offer exactly one sync subprotocol" }, 400);
  const handshake = offered ? parseSyncProtocol(offered.trim()) : undefined;
  if (!handshake?.room) return c.json({ error: "missing sync subprotocol: base64 of auth=<token>,room=<user>" }, 400);
  if (!handshake.auth) throw new AuthError(401, "missing token");
  const identity = await verifyToken(handshake.auth, c.env);
  if (normaliseUserId(handshake.room) !== identity.userId) throw new AuthError(403, "this token cannot open another user's notes");

  const headers = new Headers(c.req.raw.headers);
  headers.set(USER_HEADER, identity.userId);
  headers.set(DEVICE_HEADER, identity.deviceId);
  // The key id the device writes with (`?key=`); the Durable Object refuses a mismatch.
  const keyId = new URL(c.req.url).searchParams.get("key") ?? "";
  if (keyId && !KEY_ID_PATTERN.test(keyId)) return c.json({ error: "key must be a key id (32 hex digits)" }, 400);
  if (keyId) headers.set(KEY_HEADER, keyId);
  else headers.delete(KEY_HEADER);
  return userLogOf(c.env, identity.userId).fetch(new Request(c.req.raw, { headers }));
});

/** Key ids, wrapped keys and public keys are short strings (worker/accountKeys.ts). */
const shortText = (value: unknown): value is string => typeof value === "string" && value.length > 0 && value.length <= MAX_KEY_TEXT_CHARS;

/** A refresh credential names its user and device (the public refresh route must find them). */
const refreshCredential = (userId: string, deviceId: string, secret: string) => `${userId}:${deviceId}:${secret}`;

function parseRefreshCredential(credential: string): { userId: string; deviceId: string; secret: string } | undefined {
  const [userId, deviceId, secret, extra] = credential.split(":");
  if (extra !== undefined || !userId || !deviceId || !secret) return undefined;
  if (!ID_PATTERN.test(userId) || !ID_PATTERN.test(deviceId)) return undefined;
  return { userId, deviceId, secret };
}

/**
 * Reads a JSON body as the routes always have (anything unreadable counts as `{}`; each route
 * checks its own fields) and types it for the RPC client: `in` is what a client sends.
 */
const jsonBody = <T>() =>
  createMiddleware<AppEnv, string, { in: { json: T }; out: { json: { [K in keyof T]?: unknown } } }>(async (c, next) => {
    c.req.addValidatedData("json", (await c.req.json().catch(() => ({}))) as object);
    await next();
  });

/** The `/api` routes, chained so their type (`AppType`) carries every input and answer. */
const routes = app
  /** A new device spends a link code shown on a signed-in one and gets its own token. */
  .post("/api/public/link-claim", jsonBody<ApiLinkClaim>(), async (c) => {
    const body = c.req.valid("json");
    if (typeof body.code !== "string") return c.json({ error: "send { code }" }, 400);
    const address = c.req.header("CF-Connecting-IP") ?? "local";
    const claimed = await linkCodes(c.env).claim(body.code, address);
    if (!claimed.ok) return c.json({ error: claimed.error }, claimed.status);
    // Full entropy: a device id is never guessed or reused.
    const deviceId = `d-${crypto.randomUUID().replaceAll("-", "")}`;
    const secret = await userLogOf(c.env, claimed.userId).registerLinkedDevice(deviceId, {
      name: typeof body.name === "string" ? body.name : "",
      platform: typeof body.platform === "string" ? body.platform : "web",
    });
    const token = await mintToken(c.env.AUTH_SECRET, { userId: claimed.userId, deviceId });
    return c.json({ token, refresh: refreshCredential(claimed.userId, deviceId, secret), userId: claimed.userId, deviceId }, 200);
  })
  /**
   * A device's refresh credential (kept only on the device) for a new access token and the next
   * credential. Every credential works once; a spent one revokes its device (userLog.ts).
   */
  .post("/api/public/token/refresh", jsonBody<{ refresh: string }>(), async (c) => {
    const body = c.req.valid("json");
    const parsed = typeof body.refresh === "string" ? parseRefreshCredential(body.refresh) : undefined;
    if (!parsed) return c.json({ error: "send { refresh } as this server gave it" }, 400);
    const rotated = await userLogOf(c.env, parsed.userId).rotateRefresh(parsed.deviceId, parsed.secret);
    if (!rotated.ok) {
      // A copied credential: the device was revoked, and its open link codes end with it.
      if (rotated.revoked) await linkCodes(c.env).revokeCodesBy(parsed.userId, parsed.deviceId);
      return c.json({ error: rotated.error }, 401);
    }
    const token = await mintToken(c.env.AUTH_SECRET, { userId: parsed.userId, deviceId: parsed.deviceId });
    return c.json({ token, refresh: refreshCredential(parsed.userId, parsed.deviceId, rotated.secret) }, 200);
  })
  /** Whose account a code opens, without spending it: the new device asks its user first. */
  .post("/api/public/link-peek", jsonBody<{ code: string }>(), async (c) => {
    const body = c.req.valid("json");
    if (typeof body.code !== "string") return c.json({ error: "send { code }" }, 400);
    const peeked = await linkCodes(c.env).peek(body.code, c.req.header("CF-Connecting-IP") ?? "local");
    if (!peeked.ok) return c.json({ error: peeked.error }, peeked.status);
    return c.json({ userId: peeked.userId }, 200);
  })
  .use(
    "/api/*",
    bearerAuth({
      noAuthenticationHeader: { message: { error: "sign in first: missing Authorization: Bearer <token>" } },
      invalidAuthenticationHeader: { message: { error: "malformed Authorization header" } },
      invalidToken: { message: { error: "invalid or expired token, or a revoked device; sign in again" } },
      verifyToken: async (token, context) => {
        const c = context as Context<AppEnv>; // bearerAuth types its context without our bindings
        let identity: Identity;
        try {
          identity = await verifyToken(token, c.env);
        } catch (error) {
          if (error instanceof AuthError) return false;
          throw error;
        }
        // A failure reaching the user's log is the server's problem, not a bad token: it
        // propagates to onError as 503, so the device retries instead of signing itself out.
        if (!(await userLogOf(c.env, identity.userId).checkDevice(identity.deviceId))) return false;
        c.set("identity", identity);
        return true;
      },
    }),
  )
  .get("/api/me", (c) => c.json(c.get("identity"), 200))
  /**
   * The account's current key id and generation (nulls before the first device set one), and what
   * the calling device needs to adopt it: the wrapped idKey, and its wrap of a rotated secret.
   */
  .get("/api/keys", async (c) => {
    const { userId, deviceId } = c.get("identity");
    const log = userLogOf(c.env, userId);
    const key = await log.accountKeyFor(deviceId);
    return c.json({ ...key, plaintextLog: key.keyId !== null ? null : await log.plaintextLog(deviceId) }, 200);
  })
  /**
   * The account's first device registers the id of the key it made (compare-and-set): a device
   * that loses the race is told the winner's id and must get that key instead of syncing.
   */
  .post("/api/keys/init", jsonBody<ApiKeyInitRequest>(), async (c) => {
    const body = c.req.valid("json");
    const generation = body.generation;
    const seen = typeof body.seen === "number" && Number.isSafeInteger(body.seen) ? body.seen : 0;
    if (typeof body.keyId !== "string" || !KEY_ID_PATTERN.test(body.keyId) || typeof generation !== "number" || !Number.isSafeInteger(generation) || generation < 0) {
      return c.json({ error: "send { keyId: 32 hex digits, generation }" }, 400);
    }
    const { userId, deviceId } = c.get("identity");
    const result = await userLogOf(c.env, userId).initAccountKey({ keyId: body.keyId, generation }, { deviceId, seen });
    if ("catchUpTo" in result) {
      const conflict: ApiKeyConflict = { error: "this account's notes are still in plaintext on the server: receive them all first", catchUpTo: result.catchUpTo };
      return c.json(conflict, 409);
    }
    if (result.current.keyId !== body.keyId) {
      const conflict: ApiKeyConflict = { error: "this account already has a key; get it from one of your devices", ...result.current };
      return c.json(conflict, 409);
    }
    return c.json({ ...result.current, created: result.created }, 200);
  })
  /** Size of the caller's own log (for the settings screen, tests and benchmarks). */
  .get("/api/log/stats", async (c) => c.json(await userLogOf(c.env, c.get("identity").userId).stats(), 200))
  /**
   * A device stores the account's database snapshot (sealed with the account key) covering the
   * log up to `x-snapshot-seq`; it replaces the stored one whole or not at all. The body streams
   * to the Durable Object, which counts it and keeps it in chunks (worker/snapshotUpload.ts).
   */
  .put("/api/snapshot", snapshotHeaders, async (c) => {
    const headers = c.req.valid("header");
    const { userId, deviceId } = c.get("identity");
    const seq = headers[SNAPSHOT_SEQ_HEADER];
    const coverage = coverageOf(c.req.header(), seq); // checked by snapshotHeaders: never "invalid" here
    const upload = { seq, schemaVersion: headers[SNAPSHOT_SCHEMA_HEADER], ...(coverage === "invalid" ? {} : coverage) };
    const stored = await userLogOf(c.env, userId).putSnapshot(deviceId, upload, c.req.raw.body ?? new Blob([]).stream());
    return stored.ok ? c.json({ seq: stored.seq, size: stored.size }, 200) : c.json({ error: stored.error }, stored.status);
  })
  /** A new device fetches the snapshot, then syncs only the log after `x-snapshot-seq`. */
  .get("/api/snapshot", async (c) => {
    const snapshot = await userLogOf(c.env, c.get("identity").userId).snapshot();
    if (!snapshot) return c.json({ error: "this account has no snapshot on the server; sync from the start" }, 404);
    // A fixed length, so the response carries Content-Length while its chunks stream through.
    return c.body(snapshot.body.pipeThrough(new FixedLengthStream(snapshot.size)), 200, {
      "content-type": "application/octet-stream",
      "content-length": String(snapshot.size),
      [SNAPSHOT_SEQ_HEADER]: String(snapshot.seq),
      [SNAPSHOT_SCHEMA_HEADER]: String(snapshot.schemaVersion),
    });
  })
  .delete("/api/snapshot", async (c) => c.json({ deleted: await userLogOf(c.env, c.get("identity").userId).deleteSnapshot() }, 200))
  /** Sync handshakes per device as the server counted them: its bound on reconnect loops. */
  .get("/api/sync/handshakes", async (c) => c.json(await userLogOf(c.env, c.get("identity").userId).handshakes(), 200))
  /**
   * The first refresh credential of a device signed in with a bare access token (a sign-in
   * link). Once only: a device that has one gets no second, so a stolen access token cannot.
   */
  .post("/api/token/enroll", async (c) => {
    const { userId, deviceId } = c.get("identity");
    const secret = await userLogOf(c.env, userId).enrollRefresh(deviceId);
    if (!secret) return c.json({ error: "this device already has its sign-in; sign in again to replace it" }, 409);
    return c.json({ refresh: refreshCredential(userId, deviceId, secret) }, 200);
  })
  /** Sign-out: the calling device is revoked on the server (its tokens, sockets and codes end). */
  .post("/api/sign-out", async (c) => {
    const { userId, deviceId } = c.get("identity");
    await userLogOf(c.env, userId).revokeDevice(deviceId);
    await linkCodes(c.env).revokeCodesBy(userId, deviceId);
    return c.json({ ok: true as const }, 200);
  })
  .get("/api/alerts", async (c) => c.json(await userLogOf(c.env, c.get("identity").userId).securityAlerts(), 200))
  .post("/api/link-codes", async (c) => {
    const { userId, deviceId } = c.get("identity");
    const created = await linkCodes(c.env).create(userId, deviceId);
    if (!created.ok) return c.json({ error: created.error }, created.status);
    return c.json({ code: created.code, expiresAt: created.expiresAt }, 201);
  })
  /** The idKey sealed under the current key, stored once by the device that made the key. */
  .post("/api/keys/id-key", jsonBody<{ keyId: string; wrappedIdKey: string }>(), async (c) => {
    const body = c.req.valid("json");
    if (!shortText(body.keyId) || !shortText(body.wrappedIdKey)) return c.json({ error: "send { keyId, wrappedIdKey }" }, 400);
    const stored = await userLogOf(c.env, c.get("identity").userId).storeIdKey(body.keyId, body.wrappedIdKey);
    return stored ? c.json({ ok: true as const }, 200) : c.json({ error: "that is not the current key, or its id key is already stored" }, 409);
  })
  /** The calling device's ECDH public key, so a rotation can seal the next key for it. */
  .post("/api/keys/device", jsonBody<{ publicKey: string }>(), async (c) => {
    const body = c.req.valid("json");
    if (!shortText(body.publicKey)) return c.json({ error: "send { publicKey } (a JWK as JSON)" }, 400);
    const { userId, deviceId } = c.get("identity");
    await userLogOf(c.env, userId).registerDeviceKey(deviceId, body.publicKey);
    return c.json({ ok: true as const }, 200);
  })
  .get("/api/keys/devices", async (c) => c.json(await userLogOf(c.env, c.get("identity").userId).deviceKeys(), 200))
  /** A key rotation: the live state under the next generation replaces the log in one step. */
  .post("/api/keys/rotate", jsonBody<ApiKeyRotation>(), async (c) => {
    const { userId, deviceId } = c.get("identity");
    const rotated = await userLogOf(c.env, userId).rotateKey(deviceId, c.req.valid("json") as ApiKeyRotation);
    return rotated.ok ? c.json({ ok: true as const, generation: rotated.generation, appended: rotated.appended }, 200) : c.json({ error: rotated.error }, rotated.status);
  })
  .get("/api/devices", async (c) => {
    const { userId, deviceId } = c.get("identity");
    const devices = await userLogOf(c.env, userId).listDevices();
    return c.json(
      devices.map((d) => ({ ...d, current: d.deviceId === deviceId })),
      200,
    );
  })
  .patch("/api/devices/:id", jsonBody<{ name: string }>(), async (c) => {
    const body = c.req.valid("json");
    if (typeof body.name !== "string" || !body.name.trim()) return c.json({ error: "send { name }" }, 400);
    const renamed = await userLogOf(c.env, c.get("identity").userId).renameDevice(c.req.param("id"), body.name);
    return renamed ? c.json({ ok: true as const }, 200) : c.json({ error: "no such device" }, 404);
  })
  .delete("/api/devices/:id", async (c) => {
    const { userId, deviceId } = c.get("identity");
    if (c.req.param("id") === deviceId) return c.json({ error: "this is the device you are using; sign out instead" }, 400);
    const revoked = await userLogOf(c.env, userId).revokeDevice(c.req.param("id"));
    // Its open link codes end with it: a stolen device cannot bring in a new one.
    if (revoked) await linkCodes(c.env).revokeCodesBy(userId, c.req.param("id"));
    return revoked ? c.json({ ok: true as const }, 200) : c.json({ error: "no such device" }, 404);
  });

/** Every route and its answers, as Hono infers them from the handlers above. */
export type AppType = typeof routes;

// The contract the app is typed with (shared/api.ts) must be exactly what these routes serve:
// a route, method, status, input or answer that differs fails `tsc -p worker`, naming it.
type Served = AppType extends Hono<AppEnv, infer S, "/"> ? S : never;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** "$method /path" of each endpoint one side has and the other lacks or types differently. */
type Drift<A, B> = {
  [P in keyof A | keyof B]: P extends keyof A & keyof B
    ? { [M in keyof A[P] | keyof B[P]]: M extends keyof A[P] & keyof B[P] ? (Same<A[P][M], B[P][M]> extends true ? never : `${M & string} ${P & string}`) : `${M & string} ${P & string}` }[keyof A[P] | keyof B[P]]
    : P;
}[keyof A | keyof B];
type ApiDrift = Drift<ApiSchema, { [P in keyof Served as P extends `/api/${string}` ? P : never]: Served[P] }>;
type Holds<T extends true> = T;
export type ContractHolds = Holds<[ApiDrift] extends [never] ? true : { differs: ApiDrift }>;

app.all("/api/*", (c) => c.json({ error: "not found" }, 404));

app.all("*", (c) => c.env.ASSETS.fetch(c.req.raw));

/** One mapping from errors to responses, at the boundary. */
app.onError((error, c) => {
  if (error instanceof AuthError) return c.json({ error: error.message }, error.status);
  if (error instanceof HTTPException) return withSecurityHeaders(error.getResponse(), new URL(c.req.url).pathname);
  // Anything else failed inside the server (most often the Durable Object or its storage):
  // nothing the device did, and nothing lost. "Try again", never "sign in again".
  console.error(error);
  c.header("Retry-After", String(SERVER_ERROR_RETRY_AFTER_S));
  return c.json({ error: "the server had a problem; try again shortly" }, 503);
});

export default app;
