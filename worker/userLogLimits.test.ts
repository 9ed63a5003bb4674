/**
 * The Durable Object stays inside its limits whatever one user does (issue 12, item 4), against
 * the real Worker and UserLog in workerd: the backlog is served one page per acknowledgement,
 * RejectChanges replays are throttled, sockets and storage are capped with their own close
 * codes, reconnects are counted and bounded, and a failure inside the Durable Object is "try
 * again" (503 / 1011), never "signed out".
 */
import { env, exports } from "cloudflare:workers";
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { tags, type Changes } from "@vlcn.io/ws-common";
import { describe, expect, it } from "vitest";
import {
  BACKLOG_PAGE_BYTES,
  BACKLOG_PAGE_CHANGES,
  MAX_REJECT_REPLAYS_PER_WINDOW,
  MAX_SOCKETS_PER_USER,
  MAX_SYNC_HANDSHAKES_PER_MINUTE,
} from "../shared/constants";
import { CloseCode } from "../shared/syncProtocol";
import { Device, noteChange, settle, token, UpgradeError } from "../testing/workerd/device";

let users = 0;
const freshUser = () => `limits${++users}-${crypto.randomUUID().slice(0, 8)}`;
const stub = (userId: string) => env.USER_LOG.get(env.USER_LOG.idFromName(userId));
const api = async (userId: string, path: string) =>
  exports.default.fetch(`http://cobrain.test${path}`, { headers: { Authorization: `Bearer ${await token(userId)}` } });
const stats = async (userId: string) => (await (await api(userId, "/api/log/stats")).json()) as { head: number; rows: number; peers: number };

/** Pushes `total` one-cell changes from `device`, `perFrame` at a time, and waits until all are stored. */
async function fill(device: Device, total: number, perFrame: number) {
  for (let v = 0; v < total / perFrame; v++) {
    const changes = Array.from({ length: perFrame }, (_, i) => noteChange(`n${v}-${i}`, "title", `title ${v}-${i}`, { dbVersion: BigInt(v + 1) }));
    device.push(changes, BigInt(v));
  }
  const pongs = device.received.filter((m) => m._tag === tags.Pong).length;
  device.ping();
  await device.waitFor(tags.Pong, pongs + 1, 60_000);
}

describe("UserLog limits: the backlog is paged by bytes, one page per acknowledgement", () => {
  it("serves a 50,000-change backlog to a new device in bounded invocations (rows, bytes, ms recorded)", async () => {
    const user = freshUser();
    const a = await Device.connect(user, { deviceId: "a" });
    a.announce();
    await a.waitFor(tags.StartStreaming);
    await fill(a, 50_000, 5_000);
    expect((await stats(user)).rows).toBe(50_000);

    const b = await Device.connect(user, { deviceId: "b" });
    const invocations: Array<{ rows: number; bytes: number; ms: number }> = [];
    let from = 0;
    /** What arrived since the last mark: the output of one invocation of the Durable Object. */
    const take = (ms: number) => {
      let rows = 0;
      let bytes = 0;
      for (let i = from; i < b.received.length; i++) {
        const msg = b.received[i]!;
        if (msg._tag !== tags.Changes) continue;
        rows += (msg as Changes).changes.length;
        bytes += b.receivedBytes[i]!;
      }
      from = b.received.length;
      invocations.push({ rows, bytes, ms });
    };
    let started = Date.now();
    b.announce();
    await b.waitFor(tags.StartStreaming);
    await settle(50);
    take(Date.now() - started);
    // A device acknowledges with a Ping; the Pong comes after the page the Ping released.
    for (let pongs = 1; b.changes().length < 50_000; pongs++) {
      if (pongs > 1_000) throw new Error("the backlog never finished");
      started = Date.now();
      b.ping();
      await b.waitFor(tags.Pong, pongs, 10_000);
      take(Date.now() - started);
    }
    const versions = b.changes().map((c) => c[5]);
    expect(versions).toHaveLength(50_000);
    expect(versions.every((v, i) => i === 0 || v > versions[i - 1]!)).toBe(true);
    const max = {
      rows: Math.max(...invocations.map((i) => i.rows)),
      bytes: Math.max(...invocations.map((i) => i.bytes)),
      ms: Math.max(...invocations.map((i) => i.ms)),
    };
    console.log(`50,000-change backlog: ${invocations.length} invocations; largest ${max.rows} rows, ${max.bytes} bytes, ${max.ms} ms`);
    expect(invocations.length).toBeGreaterThan(5);
    expect(max.rows).toBeLessThanOrEqual(BACKLOG_PAGE_CHANGES);
    expect(max.bytes).toBeLessThanOrEqual(BACKLOG_PAGE_BYTES);
  }, 120_000);

  it("a device that never acknowledges still gets the whole backlog, one page per wait", async () => {
    const user = freshUser();
    const a = await Device.connect(user, { deviceId: "a" });
    a.announce();
    await a.waitFor(tags.StartStreaming);
    await fill(a, 12_000, 4_000);
    const b = await Device.connect(user, { deviceId: "b" });
    b.announce();
    await b.waitFor(tags.Changes);
    await settle(50);
    expect(b.changes().length).toBeLessThanOrEqual(BACKLOG_PAGE_CHANGES); // one page, then it waits
    const deadline = Date.now() + 20_000;
    while (b.changes().length < 12_000 && Date.now() < deadline) await settle(100);
    expect(b.changes()).toHaveLength(12_000);
  }, 60_000);
});

describe("UserLog limits: RejectChanges replays are throttled", () => {
  it("a device alternating two cursors gets a bounded number of replays, then nothing until it reconnects", async () => {
    const user = freshUser();
    const a = await Device.connect(user, { deviceId: "a" });
    a.announce();
    await a.waitFor(tags.StartStreaming);
    await fill(a, 200, 100);
    const b = await Device.connect(user, { deviceId: "b" });
    b.announce();
    await b.waitFor(tags.Changes);
    await settle(50);
    const before = b.changes().length;
    for (let i = 0; i < 40; i++) b.send({ _tag: tags.RejectChanges, whose: new Uint8Array(16), since: [i % 2 === 0 ? 0n : 100n, 0] });
    b.ping();
    await b.waitFor(tags.Pong);
    const replayed = b.changes().length - before;
    // Each replay resends what follows its cursor (200 or 100 changes); at most the allowed number happen.
    expect(replayed).toBeGreaterThan(0);
    expect(replayed).toBeLessThanOrEqual(MAX_REJECT_REPLAYS_PER_WINDOW * 200);
    // Reconnecting starts afresh.
    b.close();
    const again = await Device.connect(user, { deviceId: "b" });
    again.announce();
    await again.waitFor(tags.Changes);
  });
});

describe("UserLog limits: sockets per user are capped", () => {
  it(`the socket over ${MAX_SOCKETS_PER_USER} is closed with its own code and message; closing one makes room`, async () => {
    const user = freshUser();
    const open: Device[] = [];
    for (let i = 0; i < MAX_SOCKETS_PER_USER; i++) open.push(await Device.connect(user, { deviceId: `d${i}` }));
    const extra = await Device.connect(user, { deviceId: "extra" });
    expect(await extra.closed).toEqual({ code: CloseCode.TooManyConnections, reason: expect.stringMatching(/too many/i) });
    for (const d of open.slice(0, 3)) {
      d.announce();
      await d.waitFor(tags.StartStreaming); // the ones within the cap are served
    }
    open[0]!.close();
    await settle(100);
    const next = await Device.connect(user, { deviceId: "next" });
    next.announce();
    await next.waitFor(tags.StartStreaming);
  }, 60_000);
});

describe("UserLog limits: a per-user storage quota", () => {
  it("a push that would pass the quota is refused with its own code and message, nothing stored, and downloads go on", async () => {
    const user = freshUser();
    const a = await Device.connect(user, { deviceId: "a" });
    a.announce();
    await a.waitFor(tags.StartStreaming);
    a.push([noteChange("n0", "title", "small")]);
    await settle();
    const used = await runInDurableObject(stub(user), (_instance, state) => state.storage.sql.databaseSize);
    // This user's quota, lowered to just above what is used (an operator's per-user setting).
    await runInDurableObject(stub(user), (_instance, state) => {
      state.storage.sql.exec("INSERT INTO meta (key, value) VALUES ('quota_bytes', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", used + 20_000);
    });
    const before = await stats(user);
    a.push([noteChange("n1", "body", "x".repeat(100_000), { dbVersion: 2n })], 1n);
    expect(await a.closed).toEqual({ code: CloseCode.StorageQuota, reason: expect.stringMatching(/full|quota/i) });
    expect(await stats(user)).toEqual(before);
    const b = await Device.connect(user, { deviceId: "b" });
    b.announce();
    await b.waitFor(tags.Changes);
    expect(b.changes().map((c) => c[3])).toEqual(["small"]);
  }, 20_000);
});

describe("UserLog limits: reconnects per device are counted and bounded at the server", () => {
  it(`the handshake over ${MAX_SYNC_HANDSHAKES_PER_MINUTE} a minute is closed with "too many reconnects", and the count is readable`, async () => {
    const user = freshUser();
    for (let i = 0; i < MAX_SYNC_HANDSHAKES_PER_MINUTE; i++) {
      const d = await Device.connect(user, { deviceId: "looping" });
      d.close();
    }
    const refused = await Device.connect(user, { deviceId: "looping" });
    expect(await refused.closed).toEqual({ code: CloseCode.TooManyReconnects, reason: expect.stringMatching(/reconnect/i) });
    const other = await Device.connect(user, { deviceId: "calm" }); // another device is not affected
    other.announce();
    await other.waitFor(tags.StartStreaming);
    const counts = (await (await api(user, "/api/sync/handshakes")).json()) as {
      limitPerMinute: number;
      devices: Array<{ deviceId: string; thisMinute: number; total: number }>;
    };
    expect(counts.limitPerMinute).toBe(MAX_SYNC_HANDSHAKES_PER_MINUTE);
    expect(counts.devices.find((d) => d.deviceId === "looping")).toMatchObject({ thisMinute: MAX_SYNC_HANDSHAKES_PER_MINUTE + 1, total: MAX_SYNC_HANDSHAKES_PER_MINUTE + 1 });
    expect(counts.devices.find((d) => d.deviceId === "calm")).toMatchObject({ thisMinute: 1 });
  }, 60_000);
});

describe("UserLog limits: a failure inside the Durable Object is 'try again', never 'signed out'", () => {
  /** A log written by a newer server: this one refuses to open it, so every call into the object fails. */
  async function breakLog(userId: string) {
    await stats(userId); // create it
    await runInDurableObject(stub(userId), (_instance, state) => {
      state.storage.sql.exec("UPDATE meta SET value = 999 WHERE key = 'format_version'");
    });
    await evictDurableObject(stub(userId));
  }

  it("/api auth that cannot reach the log answers 503 with a retry hint, not 401", async () => {
    const user = freshUser();
    await breakLog(user);
    const response = await api(user, "/api/me");
    expect(response.status).toBe(503);
    expect(response.headers.get("Retry-After")).toMatch(/^\d+$/);
    expect(((await response.json()) as { error: string }).error).toMatch(/try again/i);
  });

  it("a storage failure while handling a push closes the socket with 1011 'try again', and the other devices stay connected", async () => {
    const user = freshUser();
    const a = await Device.connect(user, { deviceId: "a" });
    const b = await Device.connect(user, { deviceId: "b" });
    a.announce();
    b.announce();
    await a.waitFor(tags.StartStreaming);
    await b.waitFor(tags.StartStreaming);
    await runInDurableObject(stub(user), (_instance, state) => {
      state.storage.sql.exec("ALTER TABLE peers RENAME TO peers_gone"); // every push now fails; reading the log still works
    });
    a.push([noteChange("n1", "title", "x")]);
    expect(await a.closed).toEqual({ code: CloseCode.ServerError, reason: expect.stringMatching(/try again/) });
    expect(CloseCode.ServerError).toBe(1011);
    b.ping();
    await b.waitFor(tags.Pong);
  });

  it("the /sync handshake answers 503 too", async () => {
    const user = freshUser();
    await breakLog(user);
    const error = await Device.connect(user).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UpgradeError);
    expect((error as UpgradeError).status).toBe(503);
  });
});
