/**
 * Under a permanent refusal the app's reconnects stay bounded, counted at the server, and the
 * status names the refusal instead of "Offline". The refusing server is a WebSocket server in
 * this test process that accepts each socket and closes it at once with 1011 (the Durable
 * Object failing): what a broken server looks like to the app, which runs for real in Chromium.
 */
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { WebSocketServer } from "ws";
import { MAX_RECONNECTS_PER_MINUTE } from "../shared/constants";
import { CloseCode } from "../shared/syncProtocol";
import { mintToken } from "../worker/auth";
import { openApp, sql } from "./app";
import { browserSession } from "./session";

const baseUrl = inject("baseUrl");
const authSecret = inject("authSecret");
/** How long the test watches; a minute and a half covers any one-minute window twice over. */
const WATCH_MS = 90_000;

describe("bounded reconnects under a permanent refusal", () => {
  const session = browserSession();
  let server: WebSocketServer;
  const attempts: number[] = [];
  beforeAll(async () => {
    server = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    await new Promise((resolve) => server.once("listening", resolve));
    server.on("connection", (socket) => {
      attempts.push(Date.now());
      socket.close(CloseCode.ServerError, "the Durable Object failed");
    });
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it(`a server that closes every socket with 1011 sees at most ${MAX_RECONNECTS_PER_MINUTE} attempts a minute; the status says it is retrying`, async () => {
    const page = await (await session.context()).newPage();
    await openApp(page, baseUrl);
    const token = await mintToken(authSecret, { userId: "refused-user", deviceId: "d1", days: 1 });
    const serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await page.evaluate(([t, url]) => window.cobrain.client.signIn(t!, url), [token, serverUrl]);
    const start = Date.now();
    const indicator = page.locator(".sync-indicator");
    await expect.poll(() => indicator.getAttribute("data-sync-state"), { timeout: 15_000 }).toBe("refused");
    expect(await indicator.textContent()).toMatch(/The server had a problem, retrying/);
    await new Promise((resolve) => setTimeout(resolve, WATCH_MS - (Date.now() - start)));
    const worstMinute = Math.max(...attempts.map((at) => attempts.filter((other) => other >= at && other < at + 60_000).length));
    console.log(`reconnect bound: ${attempts.length} attempts in ${WATCH_MS / 1000} s, worst minute ${worstMinute} (limit ${MAX_RECONNECTS_PER_MINUTE})`);
    expect(attempts.length).toBeGreaterThan(1); // it keeps trying
    expect(worstMinute).toBeLessThanOrEqual(MAX_RECONNECTS_PER_MINUTE);
    expect(await indicator.getAttribute("data-sync-state")).toBe("refused");
    expect(await indicator.textContent()).not.toMatch(/Offline/);
    await expect.poll(async () => Number((await sql(page, "SELECT count(*) FROM sync_activity WHERE kind = 'refused' AND detail LIKE '%1011%'"))[0]![0]), { timeout: 5_000 }).toBeGreaterThan(0);
  }, WATCH_MS + 60_000);
});
