/**
 * `npm run token -- --user NAME [--device NAME] [--days N] [--url URL]`
 * Mints a device token signed with AUTH_SECRET (from the environment, else `.dev.vars`) and
 * prints it with a sign-in link. For a deployed server, pass the same secret you gave
 * `wrangler secret put AUTH_SECRET` and your deployment's URL.
 */
import { parseArgs } from "node:util";
import { DEFAULT_TOKEN_DAYS } from "../shared/constants.ts";
import { ID_PATTERN, mintToken } from "../worker/auth.ts";
import { readDevSecret, signInLink } from "./lib/devSecret.ts";

const { values } = parseArgs({
  options: {
    user: { type: "string" },
    device: { type: "string", default: "first-device" },
    days: { type: "string", default: String(DEFAULT_TOKEN_DAYS) },
    url: { type: "string", default: `http://127.0.0.1:${process.env.PORT ?? 8787}` },
  },
});

function fail(message: string): never {
  console.error(`npm run token: ${message}`);
  process.exit(2);
}

if (!values.user) fail("--user NAME is required, e.g. npm run token -- --user alice");
if (!ID_PATTERN.test(values.user)) fail(`--user must match ${ID_PATTERN}`);
if (!ID_PATTERN.test(values.device!)) fail(`--device must match ${ID_PATTERN}`);
const days = Number(values.days);
if (!(days > 0)) fail("--days must be a positive number");
const secret = process.env.AUTH_SECRET ?? readDevSecret();
if (!secret) fail("no AUTH_SECRET in the environment or in .dev.vars (npm start creates one)");

const token = await mintToken(secret, { userId: values.user, deviceId: values.device!, days });
console.log(`Token for user "${values.user}", device "${values.device}", valid ${days} days:\n${token}\n`);
console.log(`Sign-in link:\n${signInLink(values.url!, token)}`);
