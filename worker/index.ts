/**
 * The CoBrain Worker: one origin for the app and its sync server.
 * - `GET /health`
 * - `GET /sync`: WebSocket upgrade; auth and room arrive base64'd in `Sec-WebSocket-Protocol`
 *   (the stock ws-client's format). Checked here, before any Durable Object wakes up.
 * - `/api/*`: JSON, bearer token.
 * - everything else: the built PWA from Workers Static Assets (SPA fallback in wrangler.toml).
 */
import { Hono, type Context } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { HTTPException } from "hono/http-exception";
import { parseSyncProtocol } from "../shared/syncProtocol";
import { AuthError, verifyToken, type Identity } from "./auth";
import { DEVICE_HEADER, USER_HEADER, type Env } from "./userLog";

export { UserLog } from "./userLog";

type AppEnv = { Bindings: Env; Variables: { identity: Identity } };

export const app = new Hono<AppEnv>();

const userLogOf = (env: Env, userId: string) => env.USER_LOG.get(env.USER_LOG.idFromName(userId));

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
  if (handshake.room !== identity.userId) throw new AuthError(403, "this token cannot open another user's notes");

  const headers = new Headers(c.req.raw.headers);
  headers.set(USER_HEADER, identity.userId);
  headers.set(DEVICE_HEADER, identity.deviceId);
  return userLogOf(c.env, identity.userId).fetch(new Request(c.req.raw, { headers }));
});

app.use(
  "/api/*",
  bearerAuth({
    noAuthenticationHeader: { message: { error: "sign in first: missing Authorization: Bearer <token>" } },
    invalidAuthenticationHeader: { message: { error: "malformed Authorization header" } },
    invalidToken: { message: { error: "invalid or expired token; sign in again" } },
    verifyToken: async (token, context) => {
      const c = context as Context<AppEnv>; // bearerAuth types its context without our bindings
      try {
        c.set("identity", await verifyToken(token, c.env));
        return true;
      } catch {
        return false;
      }
    },
  }),
);

app.get("/api/me", (c) => c.json(c.get("identity")));

/** Size of the caller's own log (for the settings screen, tests and benchmarks). */
app.get("/api/log/stats", async (c) => c.json(await userLogOf(c.env, c.get("identity").userId).stats()));

app.all("/api/*", (c) => c.json({ error: "not found" }, 404));

app.all("*", (c) => c.env.ASSETS.fetch(c.req.raw));

/** One mapping from errors to responses, at the boundary. */
app.onError((error, c) => {
  if (error instanceof AuthError) return c.json({ error: error.message }, error.status);
  if (error instanceof HTTPException) return error.getResponse();
  console.error(error);
  return c.json({ error: "internal error" }, 500);
});

export default app;
