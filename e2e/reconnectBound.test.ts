/**
 * Under a permanent refusal the app's reconnects stay bounded, counted at the real server, and
 * the status names the refusal instead of "Offline". The refusal is the real Worker's socket cap:
 * the account already has MAX_SOCKETS_PER_USER open sync connections (raw devices from Node), so
 * every connection the phone in Chromium makes is closed with 4429; the Durable Object counts
 * each handshake (`GET /api/sync/handshakes`).
 */
import { afterAll, describe, expect, inject, it } from "vitest";
import type { ApiHandshakes } from "../shared/api";
import { MAX_RECONNECTS_PER_MINUTE, MAX_SOCKETS_PER_USER } from "../shared/constants";
import { mintToken } from "../worker/auth";
import { openSignInLink, sql } from "./app";
import { RawDevice } from "./rawDevice";
import { browserSession } from "./session";

const baseUrl = inject("baseUrl");
const authSecret = inject("authSecret");
/** How long the test watches: past a minute, so at least one whole counting minute is seen. */
const WATCH_MS = 65_000;
/** How often the test reads the server's count. */
const POLL_MS = 2_000;

describe("bounded reconnects under a permanent refusal", () => {
  const session = browserSession();
  const blockers: RawDevice[] = [];
  afterAll(() => blockers.forEach((d) => d.close()));

  it(`the server counts at most ${MAX_RECONNECTS_PER_MINUTE} handshakes a minute from a refused device; the status says why`, async () => {
    const user = `capped-${Date.now()}`;
    for (let i = 0; i < MAX_SOCKETS_PER_USER; i++) blockers.push(await RawDevice.connect(baseUrl, authSecret, user, `blocker-${i}`));
    const observer = await mintToken(authSecret, { userId: user, deviceId: "observer" });
    const phoneCount = async () => {
      const response = await fetch(`${baseUrl}/api/sync/handshakes`, { headers: { Authorization: `Bearer ${observer}` } });
      const body = (await response.json()) as ApiHandshakes;
      return body.devices.find((d) => d.deviceId === "phone") ?? { thisMinute: 0, total: 0 };
    };

    const page = await (await session.context()).newPage();
    await openSignInLink(page, `${baseUrl}/#token=${await mintToken(authSecret, { userId: user, deviceId: "phone" })}`);
    const indicator = page.locator(".sync-indicator");
    await expect.poll(() => indicator.getAttribute("data-sync-state"), { timeout: 20_000 }).toBe("refused");
    expect(await indicator.textContent()).toMatch(/Too many windows or devices/);

    const start = Date.now();
    let worstMinute = 0;
    let last = await phoneCount();
    while (Date.now() - start < WATCH_MS) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      last = await phoneCount();
      worstMinute = Math.max(worstMinute, last.thisMinute);
      expect(await indicator.textContent()).not.toMatch(/Offline/);
    }
    console.log(`reconnect bound: ${last.total} handshakes counted at the server, worst minute ${worstMinute} (limit ${MAX_RECONNECTS_PER_MINUTE})`);
    expect(last.total).toBeGreaterThan(1); // it keeps trying
    expect(worstMinute).toBeLessThanOrEqual(MAX_RECONNECTS_PER_MINUTE);
    expect(await indicator.getAttribute("data-sync-state")).toBe("refused");
    // The activity log on the device records the refusal with its code.
    const refusals = await sql(page, "SELECT count(*) FROM sync_activity WHERE kind = 'refused' AND detail LIKE '%4429%'");
    expect(Number(refusals[0]![0])).toBeGreaterThan(0);
  }, WATCH_MS + 90_000);
});
