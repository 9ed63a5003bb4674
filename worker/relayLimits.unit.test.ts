/**
 * The relay's limits in plain Node (issue 12): paging per acknowledgement, the fallback for
 * clients that never acknowledge, RejectChanges replay throttling, the storage quota, and the
 * handshake counter. A real ChangeLogStore on node:sqlite and fake sockets that record frames;
 * userLogLimits.test.ts covers the same through workerd's WebSockets.
 */
import { tags } from "@vlcn.io/ws-common";
import { describe, expect, it } from "vitest";
import {
  BACKLOG_ACK_WAIT_MS,
  BACKLOG_PAGE_BYTES,
  BACKLOG_PAGE_CHANGES,
  MAX_REJECT_REPLAYS_PER_WINDOW,
  MAX_SYNC_HANDSHAKES_PER_MINUTE,
  REJECT_REPLAY_WINDOW_MS,
} from "../shared/constants";
import { CloseCode } from "../shared/syncProtocol";
import { ChangeLogStore } from "./changeLogStore";
import { HandshakeCounter } from "./handshakeCounter";
import { Relay } from "./relay";
import { entryWireSize } from "./relayBacklog";
import { FakeSocket, noteChange } from "../testing/fakeRelaySocket";
import { NodeSqliteDatabase } from "../testing/nodeSqlStore";

function userRoom() {
  const db = new NodeSqliteDatabase();
  const store = new ChangeLogStore(db);
  const sockets: FakeSocket[] = [];
  const clock = { now: 1_000_000, waits: 0 };
  const relay = new Relay(store, () => sockets, { now: () => clock.now, onWaiting: () => clock.waits++ });
  const join = (deviceId: string) => {
    const socket = new FakeSocket(deviceId);
    sockets.push(socket);
    relay.presence(socket, socket.presence());
    return socket;
  };
  /** Stores `count` changes from a device of its own, `perPush` per message. */
  const fill = (count: number, value: (i: number) => string, perPush = 1_000) => {
    const a = join("filler");
    for (let v = 0; v < count / perPush; v++) {
      const changes = Array.from({ length: perPush }, (_, i) => noteChange(`n${v}-${i}`, "body", value(v * perPush + i), { dbVersion: BigInt(v + 1), seq: i }));
      relay.changes(a, a.push(changes, BigInt(v)));
    }
    return a;
  };
  return { db, store, relay, sockets, clock, join, fill };
}

/** Estimated bytes of the changes in the frames from index `from` on. */
const pageBytes = (store: ChangeLogStore, socket: FakeSocket, from: number) =>
  socket.changes().slice(from).reduce((n, c) => n + entryWireSize({ seq: 0, table: c[0], pk: c[1], cid: c[2], value: c[3] as string, colVersion: 0, cl: 0 }), 0);

describe("relay limits: one page per acknowledgement", () => {
  it("pages by bytes: a backlog of large values goes out BACKLOG_PAGE_BYTES at a time, the next page only after a Ping", () => {
    const { store, relay, join, fill } = userRoom();
    fill(300, () => "x".repeat(20_000), 20);
    const b = join("b");
    const pages: number[] = [];
    for (let seen = 0; b.changes().length < 300; ) {
      const bytes = pageBytes(store, b, seen);
      expect(bytes).toBeGreaterThan(0);
      expect(bytes).toBeLessThanOrEqual(BACKLOG_PAGE_BYTES);
      pages.push(bytes);
      seen = b.changes().length;
      relay.serveOverdue(); // the clock has not moved: the page still waits for b's Ping
      expect(b.changes().length).toBe(seen);
      relay.acknowledged(b);
    }
    expect(pages.length).toBeGreaterThan(5);
    expect(b.changes().map((c) => Number(c[5]))).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
  });

  it("pages by count: small changes go out BACKLOG_PAGE_CHANGES at a time", () => {
    const { relay, join, fill } = userRoom();
    fill(12_000, (i) => `t${i}`, 2_000);
    const b = join("b");
    expect(b.changes()).toHaveLength(BACKLOG_PAGE_CHANGES);
    relay.acknowledged(b);
    expect(b.changes()).toHaveLength(2 * BACKLOG_PAGE_CHANGES);
    relay.acknowledged(b);
    expect(b.changes()).toHaveLength(12_000);
    expect(b.readState().waitingSince).toBe(0); // nothing more to send: not waiting
  });

  it("live changes flow while the page has room; once it is full they wait for the Ping, and none is lost", () => {
    const { relay, join } = userRoom();
    const a = join("a");
    const b = join("b");
    const big = "y".repeat(50_000);
    let version = 0;
    while (b.changes().length === version) {
      version++;
      relay.changes(a, a.push([noteChange(`n${version}`, "body", big, { dbVersion: BigInt(version) })], BigInt(version - 1)));
    }
    expect(version).toBeGreaterThan(3); // several went out live before the page filled
    expect(b.changes()).toHaveLength(version - 1);
    relay.acknowledged(b);
    expect(b.changes()).toHaveLength(version);
  });

  it("live changes that arrive while a silent device's page is full reach it after the wait", () => {
    const { relay, clock, join } = userRoom();
    const a = join("a");
    const b = join("b");
    const big = "y".repeat(50_000);
    for (let version = 1; version <= 40; version++) {
      relay.changes(a, a.push([noteChange(`n${version}`, "body", big, { dbVersion: BigInt(version) })], BigInt(version - 1)));
    }
    expect(b.changes().length).toBeLessThan(40);
    for (let waits = 0; b.changes().length < 40 && waits < 40; waits++) {
      clock.now += BACKLOG_ACK_WAIT_MS;
      relay.serveOverdue();
    }
    expect(b.changes().map((c) => c[3] === big)).toEqual(Array(40).fill(true));
  });

  it("a page not acknowledged for BACKLOG_ACK_WAIT_MS counts as delivered: serveOverdue sends the next one", () => {
    const { relay, clock, join, fill } = userRoom();
    fill(12_000, (i) => `t${i}`, 2_000);
    const b = join("b");
    expect(clock.waits).toBeGreaterThan(0); // the Durable Object was asked to come back
    expect(relay.serveOverdue()).toBe(true); // too early: still waiting, nothing sent
    expect(b.changes()).toHaveLength(BACKLOG_PAGE_CHANGES);
    clock.now += BACKLOG_ACK_WAIT_MS;
    expect(relay.serveOverdue()).toBe(true);
    expect(b.changes()).toHaveLength(2 * BACKLOG_PAGE_CHANGES);
    clock.now += BACKLOG_ACK_WAIT_MS;
    expect(relay.serveOverdue()).toBe(false); // the rest fitted: nobody waits
    expect(b.changes()).toHaveLength(12_000);
  });
});

describe("relay limits: RejectChanges replays", () => {
  it(`alternating two cursors gets at most ${MAX_REJECT_REPLAYS_PER_WINDOW} replays per window, then nothing until reconnect`, () => {
    const { relay, clock, join, fill } = userRoom();
    fill(100, (i) => `t${i}`, 100);
    const b = join("b");
    const frames = () => b.of(tags.Changes).length;
    const start = frames();
    for (let i = 0; i < MAX_REJECT_REPLAYS_PER_WINDOW; i++) {
      relay.reject(b, b.rejection(i % 2 === 0 ? 0n : 50n));
      clock.now += 1_000;
    }
    expect(frames() - start).toBe(MAX_REJECT_REPLAYS_PER_WINDOW);
    expect(b.readState().stalled).toBe(false);
    relay.reject(b, b.rejection(0n));
    expect(frames() - start).toBe(MAX_REJECT_REPLAYS_PER_WINDOW);
    expect(b.readState().stalled).toBe(true);
    relay.acknowledged(b); // a stalled socket gets nothing, even on a Ping
    expect(frames() - start).toBe(MAX_REJECT_REPLAYS_PER_WINDOW);
    expect(b.closed).toBeUndefined();
  });

  it("the window moves on: replays spread over time are all served", () => {
    const { relay, clock, join, fill } = userRoom();
    fill(100, (i) => `t${i}`, 100);
    const b = join("b");
    const start = b.of(tags.Changes).length;
    for (let i = 0; i < 3 * MAX_REJECT_REPLAYS_PER_WINDOW; i++) {
      relay.reject(b, b.rejection(i % 2 === 0 ? 0n : 50n));
      clock.now += REJECT_REPLAY_WINDOW_MS / MAX_REJECT_REPLAYS_PER_WINDOW;
    }
    expect(b.of(tags.Changes).length - start).toBe(3 * MAX_REJECT_REPLAYS_PER_WINDOW);
  });
});

describe("relay limits: the storage quota", () => {
  it("a push that would pass the quota is refused whole with StorageQuota, nothing stored; one under it is stored", () => {
    const { db, store, relay, join } = userRoom();
    const a = join("a");
    const b = join("b");
    relay.changes(a, a.push([noteChange("n0", "title", "small")]));
    db.sql.exec("INSERT INTO meta (key, value) VALUES ('quota_bytes', ?)", store.sizeBytes() + 30_000);
    expect(store.quotaBytes()).toBe(store.sizeBytes() + 30_000);
    const before = store.stats();
    relay.changes(a, a.push([noteChange("n1", "body", "z".repeat(20_000), { dbVersion: 2n })], 1n));
    expect(a.closed).toEqual({ code: CloseCode.StorageQuota, reason: expect.stringMatching(/full/) });
    expect(store.stats()).toEqual(before);
    expect(b.changes().map((c) => c[3])).toEqual(["small"]);

    const c = join("c");
    relay.changes(c, c.push([noteChange("n2", "title", "fits")]));
    expect(c.closed).toBeUndefined();
    expect(store.stats().rows).toBe(2);
  });
});

describe("handshake counter", () => {
  it(`allows ${MAX_SYNC_HANDSHAKES_PER_MINUTE} handshakes per device per minute, counts refused ones, and starts over each minute`, () => {
    const db = new NodeSqliteDatabase();
    new ChangeLogStore(db); // creates the tables
    const counter = new HandshakeCounter(db.sql);
    const minute = 60_000 * 1_000;
    for (let i = 0; i < MAX_SYNC_HANDSHAKES_PER_MINUTE; i++) expect(counter.count("loop", minute + i)).toBe(true);
    expect(counter.count("loop", minute + 59_000)).toBe(false);
    expect(counter.count("calm", minute + 59_000)).toBe(true);
    expect(counter.list(minute + 59_000)).toEqual([
      { deviceId: "calm", thisMinute: 1, total: 1 },
      { deviceId: "loop", thisMinute: MAX_SYNC_HANDSHAKES_PER_MINUTE + 1, total: MAX_SYNC_HANDSHAKES_PER_MINUTE + 1 },
    ]);
    expect(counter.count("loop", minute + 60_000)).toBe(true);
    expect(counter.list(minute + 60_000)[1]).toEqual({ deviceId: "loop", thisMinute: 1, total: MAX_SYNC_HANDSHAKES_PER_MINUTE + 2 });
  });
});
