/**
 * `npm run token -- --user NAME [--device NAME] [--minutes N] [--url URL]`
 * Prints a short-lived sign-in link (an access token signed with AUTH_SECRET, from the
 * environment, else `.dev.vars`, in the link's fragment). The device that opens it asks first,
 * then enrols its own refresh credential (once per device id) and stays signed in; the link
 * itself stops working after N minutes (at most an hour). For a deployed server, pass the same
 * secret you gave `wrangler secret put AUTH_SECRET` and your deployment's URL.
 */
import { parseArgs } from "node:util";
import { ACCESS_TOKEN_MAX_TTL_S, SIGN_IN_LINK_MINUTES } from "../shared/constants.ts";
import { ID_PATTERN, mintToken, secretProblem } from "../worker/auth.ts";
import { readDevSecret, signInLink } from "./lib/devSecret.ts";

const { values } = parseArgs({
  options: {
    user: { type: "string" },
    device: { type: "string", default: "first-device" },
    minutes: { type: "string", default: String(SIGN_IN_LINK_MINUTES) },
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
const minutes = Number(values.minutes);
if (!(minutes > 0 && minutes * 60 <= ACCESS_TOKEN_MAX_TTL_S)) fail(`--minutes must be between 1 and ${ACCESS_TOKEN_MAX_TTL_S / 60}`);
const secret = process.env.AUTH_SECRET ?? readDevSecret();
if (!secret) fail("no AUTH_SECRET in the environment or in .dev.vars (npm start creates one)");

const problem = secretProblem(secret);
if (problem) fail(problem);
const token = await mintToken(secret, { userId: values.user, deviceId: values.device!, ttlSeconds: Math.round(minutes * 60) });
console.log(`Sign-in link for user "${values.user}", device "${values.device}"; open it within ${minutes} minutes, on one device:`);
console.log(signInLink(values.url!, token));
