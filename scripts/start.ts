/** `npm start`: builds the app and serves it with the local Worker; data kept in .wrangler/state. */
import { join } from "node:path";
import { buildApp, ROOT, startLocalServer } from "./lib/localServer.ts";

const port = Number(process.env.PORT ?? 8787);
await buildApp();
const server = await startLocalServer({ port, persistTo: join(ROOT, ".wrangler/state") });
console.log(`\nCoBrain is running at ${server.url}/\nPress Ctrl+C to stop.`);
const shutdown = () => void server.stop().then(() => process.exit(0));
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
