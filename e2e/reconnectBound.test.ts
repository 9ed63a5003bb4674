/**
 * Under a permanent refusal the app's reconnects stay bounded, counted at the real server, and
 * the status names the refusal instead of "Offline" (see refusedReconnects.ts for the scenario).
 */
import { describe, expect, inject, it } from "vitest";
import { MAX_RECONNECTS_PER_MINUTE } from "../shared/constants";
import { sql } from "./app";
import { LONG } from "./long";
import { watchRefusedReconnects } from "./refusedReconnects";
import { browserSession } from "./session";

const baseUrl = inject("baseUrl");
const authSecret = inject("authSecret");
/**
 * How long the test watches. `npm run test:long`: past a minute, so at least one whole counting
 * minute is seen. `npm test`: 20 s, which sees the refusal named and the retries spaced, not the
 * whole minute.
 */
const WATCH_MS = LONG ? 65_000 : 20_000;

describe("bounded reconnects under a permanent refusal", () => {
  const session = browserSession();

  it(`the server counts at most ${MAX_RECONNECTS_PER_MINUTE} handshakes a minute from a refused device; the status says why`, async () => {
    const page = await (await session.context()).newPage();
    const seen = await watchRefusedReconnects(page, baseUrl, authSecret, WATCH_MS);
    console.log(`reconnect bound: ${seen.total} handshakes counted at the server, worst minute ${seen.worstMinute} (limit ${MAX_RECONNECTS_PER_MINUTE})`);
    expect(seen.total).toBeGreaterThan(1); // it keeps trying
    expect(seen.worstMinute).toBeLessThanOrEqual(MAX_RECONNECTS_PER_MINUTE);
    expect(seen.shown.length).toBeGreaterThan(0);
    // Between attempts it names the refusal; during one it may say it is connecting; never Offline.
    expect(seen.shown.some((status) => /^refused: .*Too many windows or devices/.test(status))).toBe(true);
    for (const status of seen.shown) expect(status).not.toMatch(/Offline|^synced|^signed-out/i);
    // The activity log on the device records the refusal with its code.
    const refusals = await sql(page, "SELECT count(*) FROM sync_activity WHERE kind = 'refused' AND detail LIKE '%4429%'");
    expect(Number(refusals[0]![0])).toBeGreaterThan(0);
  }, WATCH_MS + 90_000);
});
