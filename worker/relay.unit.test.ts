/**
 * The relay's rules, in plain Node: a real ChangeLogStore on node:sqlite (held to the DO's
 * behaviour by testing/sqlStoreContract.ts) and fake sockets that record every frame.
 * userLog.test.ts covers the same paths end to end through workerd's WebSockets.
 */
import { tags, type Changes, type Err, type StartStreaming } from "@vlcn.io/ws-common";
import { describe, expect, it } from "vitest";
import { BACKLOG_PAGE_ROWS, MAX_FRAME_BYTES, OUTBOUND_FRAME_TARGET_BYTES } from "../shared/constants";
import { CloseCode } from "../shared/syncProtocol";
import { ChangeLogStore } from "./changeLogStore";
import { MAX_REJECTS_AT_CURSOR, Relay } from "./relay";
import { entryWireSize, toHex } from "./relayBacklog";
import { FakeSocket, noteChange, textPk } from "../testing/fakeRelaySocket";
import type { SqlDatabase, SqlExec } from "./sqlStore";
import { NodeSqliteDatabase } from "../testing/nodeSqlStore";

/** The real database with one statement made to fail, as a full disk or an I/O error would. */
class FailingDatabase implements SqlDatabase {
  failOn: RegExp | undefined;
  readonly inner = new NodeSqliteDatabase();
  readonly sql: SqlExec = {
    exec: (query, ...bindings) => {
      if (this.failOn?.test(query)) throw new Error("disk I/O error");
      return this.inner.sql.exec(query, ...bindings);
    },
    get databaseSize() {
      return 0;
    },
  };
  transactionSync<T>(fn: () => T): T {
    return this.inner.transactionSync(fn);
  }
}

/** One user's relay with its sockets, as the UserLog holds them. */
function userRoom(db: SqlDatabase = new NodeSqliteDatabase()) {
  const sockets: FakeSocket[] = [];
  const store = new ChangeLogStore(db);
  const room = {
    db,
    store,
    sockets,
    relay: new Relay(store, () => sockets),
    connect(deviceId: string) {
      const socket = new FakeSocket(deviceId);
      sockets.push(socket);
      return socket;
    },
    join(deviceId: string, lastSeens: Array<[Uint8Array, bigint]> = []) {
      const socket = room.connect(deviceId);
      room.relay.presence(socket, socket.presence(lastSeens));
      return socket;
    },
  };
  return room;
}

const seqs = (socket: FakeSocket) => socket.changes().map((c) => c[5]);

describe("relay: presence", () => {
  it("answers with StartStreaming from the device's stored cursor, excluding the server's own site", () => {
    const { join, store } = userRoom();
    const a = join("a");
    expect(a.received).toEqual([{ _tag: tags.StartStreaming, since: [0n, 0], excludeSites: [store.serverSiteId], localOnly: false }]);
    expect(a.readState()).toMatchObject({ site: toHex(a.site), cursor: 0 });
  });

  it("streams the backlog from where the device says it is in this server's log", () => {
    const { join, relay, store } = userRoom();
    const a = join("a");
    relay.changes(a, a.push([1, 2, 3].map((i) => noteChange(`n${i}`, "title", `t${i}`, { seq: i }))));
    const server = store.serverSiteId;
    const other = new Uint8Array(16).fill(7);

    const listedTwice = join("b", [[server, 2n], [server, 1n], [server, 3n]]);
    expect(seqs(listedTwice)).toEqual([2n, 3n]); // the smallest, wherever it is listed
    expect(listedTwice.of<Changes>(tags.Changes)[0]!.since).toEqual([1n, 0]);
    expect(seqs(join("c", [[server, 99n]]))).toEqual([1n, 2n, 3n]); // ahead of our head: from the start
    expect(seqs(join("d", [[other, 2n]]))).toEqual([1n, 2n, 3n]); // another server's cursor means nothing here
    expect(seqs(join("e", [[server, 3n]]))).toEqual([]); // caught up: no empty frame
  });

  it("tells a reconnecting device to resume after what is stored, inside a split transaction", () => {
    const { join, relay, connect } = userRoom();
    const a = join("a");
    relay.changes(a, a.push([0, 1, 2].map((seq) => noteChange(`n${seq}`, "title", "t", { dbVersion: 5n, seq }))));
    const again = connect("a");
    again.site.set(a.site);
    relay.presence(again, again.presence());
    expect(again.of<StartStreaming>(tags.StartStreaming)[0]!.since).toEqual([5n, 3]);
  });

  it("refuses a second presence, the server's own site id and another schema, each with its close code", () => {
    const { join, connect, relay, store } = userRoom();
    const twice = join("a");
    relay.presence(twice, twice.presence());
    expect(twice.closed).toEqual({ code: CloseCode.ProtocolError, reason: expect.stringMatching(/already announced/) });

    const impostor = connect("b");
    impostor.site.set(store.serverSiteId);
    relay.presence(impostor, impostor.presence());
    expect(impostor.closed).toEqual({ code: CloseCode.ProtocolError, reason: expect.stringMatching(/collides/) });

    const outdated = connect("c");
    relay.presence(outdated, outdated.presence([], { version: 999n }));
    expect(outdated.closed).toEqual({ code: CloseCode.SchemaMismatch, reason: expect.stringMatching(/update the app/) });
    expect(outdated.received.map((m) => m._tag)).toEqual([tags.Err]);
    expect(store.stats().peers).toBe(1); // only the first, valid announcement registered a peer
  });
});

describe("relay: incoming changes", () => {
  it("stores a change from device A and fans it out to B, stamped db_version = seq, never echoed to A", () => {
    const { join, relay, store } = userRoom();
    const a = join("a");
    const b = join("b");
    relay.changes(a, a.push([noteChange("n1", "-1", null), noteChange("n1", "title", "hello", { seq: 1 }), noteChange("n1", "body", "world", { seq: 2 })]));

    expect(store.stats()).toEqual({ head: 3, rows: 3, peers: 2, notes: 1 });
    expect(store.peerCursor(a.site)).toEqual({ version: 1, seq: 2 });
    const [frame, ...more] = b.of<Changes>(tags.Changes);
    expect(more).toEqual([]);
    expect(frame!.sender).toEqual(store.serverSiteId);
    expect(frame!.since).toEqual([0n, 0]);
    expect(frame!.changes.map((c) => [c[5], c[3], c[6]])).toEqual([[1n, null, null], [2n, "hello", null], [3n, "world", null]]);
    expect(a.of(tags.Changes)).toEqual([]);
    expect(b.readState().cursor).toBe(3);
  });

  it("fans out only to open, announced sockets, and one failing socket does not stop the others", () => {
    const { join, connect, relay } = userRoom();
    const a = join("a");
    const silent = connect("not announced");
    const closed = join("closed");
    closed.close(1000, "bye");
    const failing = join("failing");
    failing.failSends = true;
    const b = join("b");
    relay.changes(a, a.push([noteChange("n1", "title", "x")]));
    expect(seqs(b)).toEqual([1n]);
    expect(silent.received).toEqual([]);
    expect(seqs(closed)).toEqual([]);
    expect(failing.readState().cursor).toBe(0); // nothing counted as sent
  });

  it("refuses a message with one invalid change whole: close code, reason, nothing stored, nothing relayed", () => {
    const { join, relay, store } = userRoom();
    const a = join("a");
    const b = join("b");
    relay.changes(a, a.push([noteChange("n0", "title", "kept")]));
    const before = store.stats();
    relay.changes(a, a.push([noteChange("n1", "title", "ok", { dbVersion: 2n }), noteChange("n1", "no_such_column", "x", { dbVersion: 2n, seq: 1 })], 1n));

    expect(a.closed).toEqual({ code: CloseCode.InvalidChange, reason: expect.stringMatching(/unknown column "no_such_column"/) });
    expect(a.of<Err>(tags.Err)[0]!.err).toMatch(/nothing stored/);
    expect(store.stats()).toEqual(before);
    expect(store.peerCursor(a.site)).toEqual({ version: 1, seq: 0 });
    expect(seqs(b)).toEqual([1n]);
  });

  it("ignores changes before presence and refuses a sender other than the announced site", () => {
    const { connect, join, relay, store } = userRoom();
    const early = connect("early");
    relay.changes(early, early.push([noteChange("n1", "title", "x")]));
    expect(early.received).toEqual([]);
    expect(store.stats().rows).toBe(0);

    const a = join("a");
    const forged = new FakeSocket("forged");
    relay.changes(a, forged.push([noteChange("n1", "title", "x")]));
    expect(a.closed).toEqual({ code: CloseCode.ProtocolError, reason: expect.stringMatching(/sender differs/) });
    expect(store.stats().rows).toBe(0);
  });

  it("counts the notes alive in the log for a new device's progress: not a deleted one, not another table's rows", () => {
    const { join, relay, store } = userRoom();
    const a = join("a");
    relay.changes(a, a.push([noteChange("n1", "title", "one"), noteChange("n2", "title", "two", { seq: 1 }), noteChange("n3", "title", "three", { seq: 2 })]));
    relay.changes(a, a.push([["entities", textPk("e1"), "name", "travel", 1n, 2n, null, 1n, 0]], 1n));
    expect(store.stats().notes).toBe(3);
    // n2 deleted (its sentinel at causal length 2), n3 deleted and brought back (3).
    relay.changes(a, a.push([noteChange("n2", "-1", null, { dbVersion: 3n, cl: 2n }), noteChange("n3", "-1", null, { dbVersion: 3n, cl: 2n, seq: 1 })], 2n));
    expect(store.stats().notes).toBe(1);
    relay.changes(a, a.push([noteChange("n3", "-1", null, { dbVersion: 4n, cl: 3n })], 3n));
    expect(store.stats().notes).toBe(2);
  });

  it("drops what is already stored: a split transaction is stored whole, and a re-push stores nothing twice", () => {
    const { join, relay, store } = userRoom();
    const a = join("a");
    const b = join("b");
    const group = Array.from({ length: 6 }, (_, seq) => noteChange(`n${seq}`, "title", `t${seq}`, { dbVersion: 5n, seq }));
    relay.changes(a, a.push(group.slice(0, 3), 0n));
    relay.changes(a, a.push(group.slice(3), 5n)); // the stock client's since after sending part of group 5
    expect(store.peerCursor(a.site)).toEqual({ version: 5, seq: 5 });
    relay.changes(a, a.push(group, 4n)); // a stock adapter re-sends the whole group
    expect(store.stats().rows).toBe(6);
    expect(seqs(b)).toEqual([1n, 2n, 3n, 4n, 5n, 6n]);
  });

  it("on a gap sends exactly one re-StartStreaming and stores nothing until the device resends", () => {
    const { join, relay, store } = userRoom();
    const a = join("a");
    relay.changes(a, a.push([noteChange("n1", "title", "late", { dbVersion: 9n })], 8n));
    relay.changes(a, a.push([noteChange("n1", "title", "later", { dbVersion: 10n })], 9n));
    expect(a.of<StartStreaming>(tags.StartStreaming).map((s) => s.since)).toEqual([[0n, 0], [0n, 0]]);
    expect(store.stats().rows).toBe(0);

    relay.changes(a, a.push([noteChange("n1", "title", "resent", { dbVersion: 10n })], 0n));
    expect(store.stats().rows).toBe(1);
    relay.changes(a, a.push([noteChange("n1", "title", "gap again", { dbVersion: 12n })], 11n));
    expect(a.of(tags.StartStreaming)).toHaveLength(3); // the resend cleared the reset: a new gap rewinds again
  });

  it("stores the changes and advances the cursor in one transaction: a failed write leaves neither, and relays nothing", () => {
    const db = new FailingDatabase();
    const { join, relay, store } = userRoom(db);
    const a = join("a");
    const b = join("b");
    db.failOn = /^UPDATE peers/; // after the changes themselves were written
    expect(() => relay.changes(a, a.push([noteChange("n1", "title", "x"), noteChange("n2", "title", "y", { seq: 1 })]))).toThrow(/disk I\/O/);
    expect(store.stats()).toEqual({ head: 0, rows: 0, peers: 2, notes: 0 });
    expect(store.peerCursor(a.site)).toEqual({ version: 0, seq: 0 });
    expect(b.received.map((m) => m._tag)).toEqual([tags.StartStreaming]);

    db.failOn = undefined;
    relay.changes(a, a.push([noteChange("n1", "title", "x"), noteChange("n2", "title", "y", { seq: 1 })]));
    expect(seqs(b)).toEqual([1n, 2n]); // no seq was lost to the failed attempt
  });
});

describe("relay: backlog", () => {
  it("cuts the backlog into frames of at most OUTBOUND_FRAME_TARGET_BYTES, in order, each since the previous one's last", () => {
    const { join, relay, store } = userRoom();
    const a = join("a");
    const body = "x".repeat(10_000);
    relay.changes(a, a.push(Array.from({ length: 100 }, (_, seq) => noteChange(`n${seq}`, "body", body, { seq }))));
    const b = join("b");
    for (let acks = 0; b.changes().length < 100 && acks < 100; acks++) relay.acknowledged(b); // one page per acknowledgement

    const perFrame = Math.floor(OUTBOUND_FRAME_TARGET_BYTES / entryWireSize(store.readSince(0, b.site, 1)[0]!));
    const frames = b.of<Changes>(tags.Changes);
    expect(frames.map((f) => f.changes.length)).toEqual([...Array(Math.floor(100 / perFrame)).fill(perFrame), 100 % perFrame]);
    expect(Math.max(...b.frameBytes)).toBeLessThanOrEqual(OUTBOUND_FRAME_TARGET_BYTES); // the estimate is an upper bound
    expect(OUTBOUND_FRAME_TARGET_BYTES).toBeLessThan(MAX_FRAME_BYTES);
    expect(seqs(b)).toEqual(Array.from({ length: 100 }, (_, i) => BigInt(i + 1)));
    frames.slice(1).forEach((f, i) => expect(f.since).toEqual([frames[i]!.changes.at(-1)![5], 0]));
  });

  it("does not read over a device's own pushes again at every relay: its next read starts past them", () => {
    const db = new NodeSqliteDatabase();
    // Where each read of the log for a socket starts (the first binding of readSince's query).
    const readsFrom: number[] = [];
    const spy: SqlDatabase = {
      sql: {
        exec: (query, ...bindings) => {
          if (/FROM log WHERE seq > \? AND origin != \? ORDER BY seq/.test(query)) readsFrom.push(Number(bindings[0]));
          return db.sql.exec(query, ...bindings);
        },
        get databaseSize() {
          return db.sql.databaseSize;
        },
      },
      transactionSync: (fn) => db.transactionSync(fn),
    };
    const { join, relay, store } = userRoom(spy);
    const a = join("a");
    const b = join("b");
    // A large import from A, in three frames of one transaction.
    for (let frame = 0; frame < 3; frame++) {
      relay.changes(a, a.push(Array.from({ length: 1_000 }, (_, i) => noteChange(`n${frame}-${i}`, "title", "t", { seq: frame * 1_000 + i })), frame === 0 ? 0n : 1n));
    }
    expect(store.head).toBe(3_000);
    expect(a.readState().cursor).toBe(0); // A was sent nothing: all of it is its own
    readsFrom.length = 0;
    // One edit from B: A gets it, and A's read starts at the head, not at its cursor 0.
    relay.changes(b, b.push([noteChange("n0-0", "title", "from b", { colVersion: 2n, seq: 0 })]));
    expect(a.changes().map((c) => [c[3], c[5]])).toEqual([["from b", 3_001n]]);
    expect(Math.min(...readsFrom)).toBeGreaterThanOrEqual(3_000);
    // A rejection rewinds: the device asked for everything after 0 again, and is read from there.
    readsFrom.length = 0;
    relay.reject(a, a.rejection(0n));
    expect(readsFrom[0]).toBe(0);
    expect(a.changes().map((c) => c[3]).at(-1)).toBe("from b");
  });

  it("reads the log BACKLOG_PAGE_ROWS rows at a time, and no frame spans two pages", () => {
    const { join, relay } = userRoom();
    const a = join("a");
    const count = BACKLOG_PAGE_ROWS + 500;
    relay.changes(a, a.push(Array.from({ length: count }, (_, seq) => noteChange(`n${seq}`, "title", "t", { seq }))));
    const b = join("b");
    expect(b.of<Changes>(tags.Changes).map((f) => f.changes.length)).toEqual([BACKLOG_PAGE_ROWS, 500]);
    expect(b.readState().cursor).toBe(count);
  });

  it("keeps each socket's cursor in its state, so a relay rebuilt after eviction carries on where it was", () => {
    const { db, join, relay, sockets } = userRoom();
    const a = join("a");
    const b = join("b");
    relay.changes(a, a.push([noteChange("n1", "title", "before eviction")]));

    const revived = new Relay(new ChangeLogStore(db), () => sockets);
    revived.changes(a, a.push([noteChange("n2", "title", "after eviction", { dbVersion: 2n })], 1n));
    const frames = b.of<Changes>(tags.Changes);
    expect(frames.map((f) => f.since)).toEqual([[0n, 0], [1n, 0]]);
    expect(b.changes().map((c) => c[3])).toEqual(["before eviction", "after eviction"]);
    expect(a.of(tags.StartStreaming)).toHaveLength(1); // no spurious gap
  });
});

describe("relay: rejections", () => {
  it(`resends after a rejection, but stops after ${MAX_REJECTS_AT_CURSOR} at the same point, and fan-out skips the stalled device`, () => {
    const { join, relay } = userRoom();
    const a = join("a");
    const b = join("b");
    relay.changes(a, a.push([noteChange("n1", "title", "x")]));
    for (let i = 0; i < MAX_REJECTS_AT_CURSOR + 2; i++) relay.reject(b, b.rejection(0n));
    expect(b.of(tags.Changes)).toHaveLength(1 + MAX_REJECTS_AT_CURSOR);
    expect(b.readState().stalled).toBe(true);

    relay.changes(a, a.push([noteChange("n2", "title", "y", { dbVersion: 2n })], 1n));
    expect(b.of(tags.Changes)).toHaveLength(1 + MAX_REJECTS_AT_CURSOR);
    expect(b.closed).toBeUndefined(); // stalled, not refused: it gets everything after reconnecting
  });

  it("rewinds no further than the log's head, and ignores a rejection before presence", () => {
    const { join, connect, relay } = userRoom();
    const a = join("a");
    const b = join("b");
    relay.changes(a, a.push([noteChange("n1", "title", "x")]));
    relay.reject(b, b.rejection(99n));
    expect(b.readState()).toMatchObject({ cursor: 1, rejectAt: 99, rejects: 1 });
    expect(b.of(tags.Changes)).toHaveLength(1);

    const early = connect("early");
    relay.reject(early, early.rejection(0n));
    expect(early.received).toEqual([]);
    expect(early.readState().rejects).toBe(0);
  });
});
