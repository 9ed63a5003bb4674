/**
 * `npm start`: builds the app and serves it with the local Worker and Durable Object; state is
 * kept in .wrangler/state. Prints the URL and a sign-in link for a local user.
 */
import { join } from "node:path";
import { mintToken } from "../worker/auth.ts";
import { ensureDevSecret, signInLink } from "./lib/devSecret.ts";
import { buildApp, ROOT, startLocalServer } from "./lib/localServer.ts";

const port = Number(process.env.PORT ?? 8787);
const secret = ensureDevSecret();
await buildApp();
const server = await startLocalServer({ port, persistTo: join(ROOT, ".wrangler/state") });
const token = await mintToken(secret, { userId: "me", deviceId: "local-browser", days: 30 });
console.log(`\nCoBrain is running at ${server.url}/`);
console.log(`Sign in (user "me"): ${signInLink(server.url, token)}`);
console.log(`More tokens: npm run token -- --user NAME --device NAME\nPress Ctrl+C to stop.`);
const shutdown = () => void server.stop().then(() => process.exit(0));
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
