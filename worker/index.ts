/**
 * The CoBrain Worker: one origin for the app and its sync server. `/health` answers here;
 * every other path is the built PWA from Workers Static Assets (SPA fallback configured in
 * wrangler.toml). `/api/*` and `/sync` arrive with the sync server.
 */
import { Hono } from "hono";

export interface Env {
  ASSETS: Fetcher;
}

export const app = new Hono<{ Bindings: Env }>();

app.get("/health", (c) => c.json({ ok: true }));

app.all("*", (c) => c.env.ASSETS.fetch(c.req.raw));

export default app;
