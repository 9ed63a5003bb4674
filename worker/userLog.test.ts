import { env, exports } from "cloudflare:workers";
import { evictDurableObject } from "cloudflare:test";
import { tags, type Change, type StartStreaming, type Changes, type Err } from "@vlcn.io/ws-common";
import { describe, expect, it } from "vitest";
import { MAX_FRAME_BYTES } from "../shared/constants";
import { CloseCode } from "../shared/syncProtocol";
import { Device, noteChange, settle, token } from "../testing/workerd/device";

let users = 0;
/** Each test gets its own user, hence its own Durable Object. */
const freshUser = () => `user${++users}-${crypto.randomUUID().slice(0, 8)}`;

async function stats(userId: string) {
  const response = await exports.default.fetch("http://cobrain.test/api/log/stats", { headers: { Authorization: `Bearer ${await token(userId)}` } });
  return (await response.json()) as { head: number; rows: number; peers: number };
}

const startStreams = (d: Device) => d.received.filter((m) => m._tag === tags.StartStreaming) as StartStreaming[];

describe("UserLog: presence, streaming and backlog", () => {
  it("answers presence with StartStreaming from the device's stored cursor, excluding the server's own site", async () => {
    const user = freshUser();
    const a = await Device.connect(user);
    a.announce();
    const [start] = (await a.waitFor(tags.StartStreaming)) as StartStreaming[];
    expect(start!.since).toEqual([0n, 0]);
    expect(start!.excludeSites).toHaveLength(1);
    expect(start!.excludeSites[0]).toHaveLength(16);
    expect(start!.localOnly).toBe(false);
  });

  it("relays a push to the user's other devices, stamped db_version = seq ascending, never back to the pusher", async () => {
    const user = freshUser();
    const a = await Device.connect(user, { deviceId: "a" });
    const b = await Device.connect(user, { deviceId: "b" });
    a.announce();
    b.announce();
    await a.waitFor(tags.StartStreaming);
    await b.waitFor(tags.StartStreaming);
    a.push([noteChange("n1", "-1", null), noteChange("n1", "title", "hello"), noteChange("n1", "body", "world")]);
    const [msg] = (await b.waitFor(tags.Changes)) as Changes[];
    expect(msg!.since).toEqual([0n, 0]);
    expect(msg!.changes.map((c) => c[5])).toEqual([1n, 2n, 3n]);
    expect(msg!.changes.map((c) => c[3])).toEqual([null, "hello", "world"]);
    expect(msg!.changes.every((c) => c[6] === null)).toBe(true);
    await settle();
    expect(a.received.filter((m) => m._tag === tags.Changes)).toEqual([]);
  });

  it("streams the backlog to a device that connects later, from its announced cursor", async () => {
    const user = freshUser();
    const a = await Device.connect(user, { deviceId: "a" });
    a.announce();
    const [start] = (await a.waitFor(tags.StartStreaming)) as StartStreaming[];
    a.push([noteChange("n1", "title", "one"), noteChange("n2", "title", "two", { dbVersion: 2n })]);
    await settle();

    const fresh = await Device.connect(user, { deviceId: "b" });
    fresh.announce();
    await fresh.waitFor(tags.Changes);
    expect(fresh.changes().map((c) => c[3])).toEqual(["one", "two"]);

    const caughtUp = await Device.connect(user, { deviceId: "c" });
    caughtUp.announce([[start!.excludeSites[0]!, 1n]]);
    await caughtUp.waitFor(tags.Changes);
    expect(caughtUp.changes().map((c) => c[3])).toEqual(["two"]);
    expect((caughtUp.received.find((m) => m._tag === tags.Changes) as Changes).since).toEqual([1n, 0]);
  });

  it("a re-push after reconnect is idempotent and the device's cursor survives", async () => {
    const user = freshUser();
    const a = await Device.connect(user);
    a.announce();
    await a.waitFor(tags.StartStreaming);
    const changes = [noteChange("n1", "title", "t", { dbVersion: 1n }), noteChange("n2", "title", "u", { dbVersion: 2n })];
    a.push(changes);
    await settle();
    const before = await stats(user);
    a.close();

    const again = await Device.connect(user, { site: a.site });
    again.announce();
    const [start] = (await again.waitFor(tags.StartStreaming)) as StartStreaming[];
    expect(start!.since).toEqual([2n, 1]); // stored through (db_version 2, seq 0): resume at seq 1
    again.push(changes, 0n); // overlap: harmless
    await settle();
    expect(await stats(user)).toEqual(before);
  });

  it("one transaction split across frames is stored whole, and a reconnect resumes inside it", async () => {
    const user = freshUser();
    const a = await Device.connect(user);
    a.announce();
    await a.waitFor(tags.StartStreaming);
    const group = Array.from({ length: 6 }, (_, i) => {
      const c = noteChange(`n${i}`, "title", `t${i}`, { dbVersion: 5n });
      return [...c.slice(0, 8), i] as unknown as Change;
    });
    a.push(group.slice(0, 3), 0n);
    a.push(group.slice(3), 5n); // the stock client's since after sending part of group 5
    await settle();
    expect((await stats(user)).rows).toBe(6);
    a.close();
    const again = await Device.connect(user, { site: a.site });
    again.announce();
    const [start] = (await again.waitFor(tags.StartStreaming)) as StartStreaming[];
    expect(start!.since).toEqual([5n, 6]);
    again.push(group, 4n); // a stock adapter re-sends the whole group: nothing is stored twice
    await settle();
    expect((await stats(user)).rows).toBe(6);
  });

  it("a gap triggers exactly one re-StartStreaming and nothing is stored until the device resends", async () => {
    const user = freshUser();
    const a = await Device.connect(user);
    a.announce();
    await a.waitFor(tags.StartStreaming);
    a.push([noteChange("n1", "title", "late", { dbVersion: 9n })], 8n);
    a.push([noteChange("n1", "title", "later", { dbVersion: 10n })], 9n);
    await a.waitFor(tags.StartStreaming, 2);
    await settle();
    expect(startStreams(a).map((s) => s.since)).toEqual([[0n, 0], [0n, 0]]);
    expect((await stats(user)).rows).toBe(0);
    a.push([noteChange("n1", "title", "resent", { dbVersion: 10n })], 0n);
    await settle();
    expect((await stats(user)).rows).toBe(1);
  });
});

describe("UserLog: rejections", () => {
  it("resends after a RejectChanges, but stops after repeated rejections at the same point", async () => {
    const user = freshUser();
    const a = await Device.connect(user, { deviceId: "a" });
    a.announce();
    await a.waitFor(tags.StartStreaming);
    a.push([noteChange("n1", "title", "x")]);
    const b = await Device.connect(user, { deviceId: "b" });
    b.announce();
    await b.waitFor(tags.Changes);
    for (let i = 0; i < 5; i++) {
      b.send({ _tag: tags.RejectChanges, whose: new Uint8Array(16), since: [0n, 0] });
      await settle(50);
    }
    // The first three rejections get the change again; after that the server stops resending.
    expect(b.received.filter((m) => m._tag === tags.Changes)).toHaveLength(4);
  });
});

describe("UserLog: heartbeat", () => {
  it("answers Ping with Pong after the frames sent before it are stored", async () => {
    const user = freshUser();
    const a = await Device.connect(user);
    a.announce();
    await a.waitFor(tags.StartStreaming);
    a.push([noteChange("n1", "title", "x")]);
    a.send({ _tag: tags.Ping });
    await a.waitFor(tags.Pong);
    expect((await stats(user)).rows).toBe(1);
  });
});

describe("UserLog: refusing bad input without losing anything", () => {
  async function connected(user = freshUser()) {
    const d = await Device.connect(user);
    d.announce();
    await d.waitFor(tags.StartStreaming);
    return d;
  }

  it("a message with one invalid change is refused whole, with a reason, and the log is unchanged", async () => {
    const user = freshUser();
    const a = await connected(user);
    a.push([noteChange("n0", "title", "kept", { dbVersion: 1n })]);
    await settle();
    const before = await stats(user);
    a.push([noteChange("n1", "title", "ok", { dbVersion: 2n }), noteChange("n1", "no_such_column", "x", { dbVersion: 2n })], 1n);
    expect(await a.closed).toEqual({ code: CloseCode.InvalidChange, reason: expect.stringMatching(/unknown column "no_such_column"/) });
    expect((a.received.find((m) => m._tag === tags.Err) as Err).err).toMatch(/nothing stored/);
    expect(await stats(user)).toEqual(before);
  });

  it("a device on another schema version is told to update", async () => {
    const d = await Device.connect(freshUser());
    d.announce([], { version: 999n });
    const closed = await d.closed;
    expect(closed.code).toBe(CloseCode.SchemaMismatch);
    expect(closed.reason).toMatch(/update the app/);
    expect(d.received.some((m) => m._tag === tags.StartStreaming)).toBe(false);
  });

  it("text frames, oversized frames and absurd counts get clear close codes", async () => {
    const text = await connected();
    text.sendRaw("hello");
    expect((await text.closed).code).toBe(CloseCode.UnsupportedData);

    const big = await connected();
    big.sendRaw(new Uint8Array(MAX_FRAME_BYTES + 1).fill(2));
    expect((await big.closed).code).toBe(CloseCode.FrameTooLarge);

    const absurd = await connected();
    // Changes header claiming 2^35 changes in a 30-byte frame.
    absurd.sendRaw(new Uint8Array([2, ...absurd.site, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]));
    expect(await absurd.closed).toEqual({ code: CloseCode.ProtocolError, reason: expect.stringMatching(/claims/) });
  });

  it("user A can never read or write user B's log", async () => {
    const alice = freshUser();
    const bob = freshUser();
    const a = await connected(alice);
    a.push([noteChange("secret", "title", "alice's diary")]);
    await settle();
    const b = await connected(bob);
    await settle();
    expect(b.changes()).toEqual([]);
    await expect(Device.connect(bob, { room: alice })).rejects.toThrow(/403/);
    expect((await stats(bob)).rows).toBe(0);
    expect((await stats(alice)).rows).toBe(1);
  });
});

describe("UserLog: compaction and limits", () => {
  it("keeps one winner per cell by col_version, ties by value, and a tombstone after delete", async () => {
    const user = freshUser();
    const a = await Device.connect(user);
    a.announce();
    await a.waitFor(tags.StartStreaming);
    let v = 0n;
    const push = (changes: Change[]) => a.push(changes, v++);
    for (let i = 1n; i <= 50n; i++) push([noteChange("n1", "title", `edit ${i}`, { colVersion: i, dbVersion: v + 1n })]);
    push([noteChange("n1", "body", "b", { dbVersion: v + 1n })]);
    await settle(200);
    expect((await stats(user)).rows).toBe(2);
    // A stale lower col_version from another device changes nothing; an equal one with another value is kept as a tie.
    const b = await Device.connect(user, { deviceId: "b" });
    b.announce();
    await b.waitFor(tags.StartStreaming);
    b.push([noteChange("n1", "title", "stale", { colVersion: 3n, dbVersion: 1n }), noteChange("n1", "title", "tie", { colVersion: 50n, dbVersion: 2n })]);
    await settle();
    expect((await stats(user)).rows).toBe(3);
    // Delete: cl 2 supersedes every entry of the row, leaving the tombstone.
    b.push([noteChange("n1", "-1", null, { colVersion: 2n, cl: 2n, dbVersion: 3n })], 2n);
    await settle();
    expect((await stats(user)).rows).toBe(1);
  });

  it("a large backlog reaches a new device in frames under the limit, in order", async () => {
    const user = freshUser();
    const a = await Device.connect(user);
    a.announce();
    await a.waitFor(tags.StartStreaming);
    const body = "x".repeat(400);
    let version = 0n;
    for (let batch = 0; batch < 6; batch++) {
      const changes = Array.from({ length: 500 }, (_, i) => noteChange(`n${batch}-${i}`, "body", body, { dbVersion: version + 1n }));
      a.push(changes, version);
      version += 1n;
    }
    await settle(300);
    const b = await Device.connect(user, { deviceId: "b" });
    const sizes: number[] = [];
    b.announce();
    await b.waitFor(tags.Changes);
    // One page per acknowledgement: the device pings for the next one, as CoBrain's transport does.
    for (let pongs = 1; b.changes().length < 3000 && pongs < 20; pongs++) {
      b.ping();
      await b.waitFor(tags.Pong, pongs);
    }
    const frames = b.received.filter((m) => m._tag === tags.Changes) as Changes[];
    expect(frames.length).toBeGreaterThan(1);
    for (const f of frames) sizes.push(f.changes.reduce((n, c) => n + 40 + (c[3] as string).length, 0));
    expect(Math.max(...sizes)).toBeLessThan(MAX_FRAME_BYTES);
    const versions = b.changes().map((c) => c[5]);
    expect(versions).toHaveLength(3000);
    expect(versions.every((v, i) => i === 0 || v > versions[i - 1]!)).toBe(true);
    // each frame's since is the previous frame's last db_version
    frames.slice(1).forEach((f, i) => expect(f.since[0]).toBe(frames[i]!.changes.at(-1)![5]));
  });
});

describe("UserLog: eviction", () => {
  it("sockets continue across eviction with cursors restored, and nothing is lost", async () => {
    const user = freshUser();
    const a = await Device.connect(user, { deviceId: "a" });
    const b = await Device.connect(user, { deviceId: "b" });
    a.announce();
    b.announce();
    await a.waitFor(tags.StartStreaming);
    await b.waitFor(tags.StartStreaming);
    a.push([noteChange("n1", "title", "before eviction")]);
    await b.waitFor(tags.Changes);

    await evictDurableObject(env.USER_LOG.get(env.USER_LOG.idFromName(user)));

    a.push([noteChange("n2", "title", "after eviction", { dbVersion: 2n })], 1n);
    const frames = (await b.waitFor(tags.Changes, 2)) as Changes[];
    expect(frames[1]!.since).toEqual([1n, 0]); // b's cursor came back from its attachment
    expect(b.changes().map((c) => c[3])).toEqual(["before eviction", "after eviction"]);
    expect(startStreams(a)).toHaveLength(1); // no spurious gap after the eviction
    expect((await stats(user)).rows).toBe(2);
  });
});
