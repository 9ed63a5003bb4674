/**
 * A phone that the real Worker refuses at every attempt (its account already has the maximum of
 * open sync connections, so each socket is closed with 4429), watched from the server's side:
 * the Durable Object counts each handshake (`GET /api/sync/handshakes`). Shared by the e2e test
 * (which asserts the bound) and the benchmark (which records it).
 */
import type { Page } from "playwright-core";
import type { ApiHandshakes } from "../shared/api";
import { MAX_SOCKETS_PER_USER } from "../shared/constants";
import { mintToken } from "../worker/auth";
import { openSignInLink } from "./app";
import { RawDevice } from "./rawDevice";

/** How often the server's count is read while watching. */
const POLL_MS = 2_000;
/** How long the phone may take to show the refusal after signing in. */
const REFUSED_WITHIN_MS = 20_000;

export interface RefusedReconnects {
  /** Handshakes the server counted from the phone while it was watched. */
  total: number;
  /** The most handshakes the server counted in one of its counting minutes. */
  worstMinute: number;
  /** Every sync state and text the phone's indicator showed while watched. */
  shown: string[];
}

export async function watchRefusedReconnects(page: Page, baseUrl: string, secret: string, watchMs: number): Promise<RefusedReconnects> {
  const user = `capped-${Date.now()}`;
  const blockers: RawDevice[] = [];
  try {
    for (let i = 0; i < MAX_SOCKETS_PER_USER; i++) blockers.push(await RawDevice.connect(baseUrl, secret, user, `blocker-${i}`));
    const observer = await mintToken(secret, { userId: user, deviceId: "observer" });
    const phoneCount = async () => {
      const response = await fetch(`${baseUrl}/api/sync/handshakes`, { headers: { Authorization: `Bearer ${observer}` } });
      const body = (await response.json()) as ApiHandshakes;
      return body.devices.find((d) => d.deviceId === "phone") ?? { thisMinute: 0, total: 0 };
    };

    await openSignInLink(page, `${baseUrl}/#token=${await mintToken(secret, { userId: user, deviceId: "phone" })}`);
    const indicator = page.locator(".sync-indicator");
    await page.locator('.sync-indicator[data-sync-state="refused"]').waitFor({ timeout: REFUSED_WITHIN_MS });

    const shown = new Set<string>();
    const start = Date.now();
    let worstMinute = 0;
    let last = await phoneCount();
    while (Date.now() - start < watchMs) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      last = await phoneCount();
      worstMinute = Math.max(worstMinute, last.thisMinute);
      shown.add(`${await indicator.getAttribute("data-sync-state")}: ${await indicator.textContent()}`);
    }
    return { total: last.total, worstMinute, shown: [...shown] };
  } finally {
    blockers.forEach((d) => d.close());
  }
}
