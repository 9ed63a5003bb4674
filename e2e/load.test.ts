/**
 * Bounded load on the real local server (loopback): one user with 20 devices pushing at once,
 * and 200 users' Durable Objects in parallel. Everything must arrive exactly once, at the right
 * user only. Counts are fixed so the run ends by itself in seconds.
 */
import { tags, type Change, type Changes } from "@vlcn.io/ws-common";
import { describe, expect, inject, it } from "vitest";
import { logStats } from "./nodeDevice";
import { RawDevice, textPk } from "./rawDevice";

const baseUrl = inject("baseUrl");
const authSecret = inject("authSecret");
const DEVICES = 20;
const PUSHES_PER_DEVICE = 10;
const CHANGES_PER_PUSH = 20;
const USERS = 200;

const change = (id: string, version: number, seq: number): Change => ["notes", textPk(id), "title", id, 1n, BigInt(version), null, 1n, seq];

describe("bounded load", () => {
  it(`one user, ${DEVICES} devices pushing at once: every device receives every other device's changes`, async () => {
    const user = `load-${Date.now()}`;
    const devices = await Promise.all(Array.from({ length: DEVICES }, (_, i) => RawDevice.connect(baseUrl, authSecret, user, `d${i}`)));
    const received = devices.map(() => new Set<string>());
    devices.forEach((d, i) => {
      d.onMessage = (msg) => {
        if (msg._tag === tags.Changes) for (const c of (msg as Changes).changes) received[i]!.add(c[3] as string);
      };
    });
    const started = Date.now();
    await Promise.all(
      devices.map(async (d, i) => {
        for (let push = 1; push <= PUSHES_PER_DEVICE; push++) {
          d.push(Array.from({ length: CHANGES_PER_PUSH }, (_, k) => change(`d${i}-p${push}-c${k}`, push, k)), BigInt(push - 1));
          await new Promise((r) => setTimeout(r, 1));
        }
      }),
    );
    const perDevice = (DEVICES - 1) * PUSHES_PER_DEVICE * CHANGES_PER_PUSH;
    await expect.poll(() => received.every((r) => r.size === perDevice), { timeout: 60_000, interval: 100 }).toBe(true);
    const seconds = (Date.now() - started) / 1000;
    received.forEach((r, i) => expect([...r].some((id) => id.startsWith(`d${i}-`))).toBe(false));
    expect((await logStats(baseUrl, authSecret, user)).rows).toBe(DEVICES * PUSHES_PER_DEVICE * CHANGES_PER_PUSH);
    devices.forEach((d) => d.close());
    console.log(`load: ${DEVICES} devices × ${PUSHES_PER_DEVICE * CHANGES_PER_PUSH} changes relayed to all in ${seconds.toFixed(1)} s`);
  });

  it(`${USERS} users' logs in parallel stay separate and complete`, async () => {
    const stamp = Date.now();
    const started = Date.now();
    await Promise.all(
      Array.from({ length: USERS }, async (_, u) => {
        const device = await RawDevice.connect(baseUrl, authSecret, `many-${stamp}-${u}`, "d");
        device.push(Array.from({ length: 10 }, (_, k) => change(`u${u}-c${k}`, 1, k)), 0n);
        device.push([change(`u${u}-ping`, 2, 0)], 1n);
        await new Promise((r) => setTimeout(r, 50));
        device.close();
      }),
    );
    const counts = await Promise.all(Array.from({ length: USERS }, (_, u) => logStats(baseUrl, authSecret, `many-${stamp}-${u}`).then((s) => s.rows)));
    expect(counts.every((n) => n === 11)).toBe(true);
    console.log(`load: ${USERS} users' Durable Objects written in parallel in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
});
