/**
 * `npm start`: builds the app and serves it with the local Worker and Durable Object; state is
 * kept in .wrangler/state. Prints the URL and a short-lived sign-in link for a local user.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { SIGN_IN_LINK_MINUTES } from "../shared/constants.ts";
import { mintToken } from "../worker/auth.ts";
import { ensureDevSecret, signInLink } from "./lib/devSecret.ts";
import { buildApp, ROOT, startLocalServer } from "./lib/localServer.ts";

const port = Number(process.env.PORT ?? 8787);
const secret = ensureDevSecret();
await buildApp();
const server = await startLocalServer({ port, persistTo: join(ROOT, ".wrangler/state") });
const token = await mintToken(secret, { userId: "me", deviceId: `browser-${randomUUID().slice(0, 8)}`, ttlSeconds: SIGN_IN_LINK_MINUTES * 60 });
console.log(`\nCoBrain is running at ${server.url}/`);
console.log(`Sign in (user "me"; the link works for ${SIGN_IN_LINK_MINUTES} minutes, on one device): ${signInLink(server.url, token)}`);
console.log(`More sign-in links: npm run token -- --user NAME --device NAME\nPress Ctrl+C to stop.`);
const shutdown = () => void server.stop().then(() => process.exit(0));
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
