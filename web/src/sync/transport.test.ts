/**
 * The transport's rules (back-off, heartbeat, acknowledgement, final close codes), driven through
 * fakes of its seams (socket, network, fetch) on fake timers. The browser implementations run
 * against the real Worker in e2e/sync.test.ts.
 */
import { decode, encode, tags, type Changes, type Msg } from "@vlcn.io/ws-common";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { HEARTBEAT_INTERVAL_MS, HEARTBEAT_TIMEOUT_MS, MAX_RECONNECTS_PER_MINUTE, RECONNECT_BASE_MS, RECONNECT_MAX_MS, SEND_BUFFER_DRAIN_POLL_MS, SEND_BUFFER_LIMIT_BYTES } from "../../../shared/constants";
import { CloseCode, FINAL_CLOSE_CODES, parseSyncProtocol } from "../../../shared/syncProtocol";
import type { TransportState } from "../../../shared/syncStatus";
import type { NetworkSignal, SocketEvents, SyncSocket } from "./syncSocket";
import { SyncTransport } from "./transport";

/** A socket the test opens, feeds frames and closes, recording what the transport sends. */
class FakeSocket implements SyncSocket {
  isOpen = false;
  bufferedAmount = 0;
  readonly sent: Msg[] = [];
  closedWith: { code: number; reason: string } | undefined;

  constructor(
    readonly url: string,
    readonly protocol: string,
    readonly events: SocketEvents,
  ) {}

  send(frame: Uint8Array<ArrayBuffer>): void {
    this.sent.push(decode(frame));
  }

  close(code: number, reason: string): void {
    this.isOpen = false;
    this.closedWith = { code, reason };
  }

  open(): void {
    this.isOpen = true;
    this.events.open();
  }

  deliver(msg: Msg): void {
    const bytes = encode(msg);
    this.events.message(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  }

  /** The server (or the network) ends the connection. */
  drop(code: number, reason = ""): void {
    this.isOpen = false;
    this.events.close(code, reason);
  }

  pings(): number {
    return this.sent.filter((m) => m._tag === tags.Ping).length;
  }
}

class FakeNetwork implements NetworkSignal {
  online = true;
  #listeners = new Set<(online: boolean) => void>();

  watch(onChange: (online: boolean) => void): () => void {
    this.#listeners.add(onChange);
    return () => this.#listeners.delete(onChange);
  }

  set(online: boolean): void {
    this.online = online;
    for (const listener of this.#listeners) listener(online);
  }
}

/** What `/api/me` answers when a socket never opened: unreachable unless a test says otherwise. */
let probe: () => Promise<Response>;

function setup() {
  const sockets: FakeSocket[] = [];
  const states: TransportState[] = [];
  const network = new FakeNetwork();
  const counts = { streaming: 0, acks: 0, ready: 0, drained: 0, unacknowledgedAtStreaming: 0 };
  const transport = new SyncTransport({
    serverUrl: "https://sync.example/",
    room: "u1",
    getToken: async () => "token-1",
    lastSeens: async () => [],
    onState: (state) => states.push(state),
    onStreaming: () => {
      counts.streaming++;
      // What a status derived at that moment would see.
      counts.unacknowledgedAtStreaming += transport.unacknowledged ? 1 : 0;
    },
    onAck: () => counts.acks++,
    onApplyError: () => {},
    onDrained: () => counts.drained++,
    socket: (url, protocol, events) => {
      const socket = new FakeSocket(url, protocol, events);
      sockets.push(socket);
      return socket;
    },
    network,
    fetch: () => probe(),
  });
  const last = () => sockets.at(-1)!;
  const state = () => states.at(-1)!;
  /** Lets the transport's awaits (token, probe) finish without moving the clock. */
  const settle = () => vi.advanceTimersByTimeAsync(0);
  return { transport, sockets, states, network, counts, last, state, settle };
}

const changes: Changes = { _tag: tags.Changes, sender: new Uint8Array(16), since: [0n, 0], changes: [] };

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 });
  probe = () => Promise.reject(new TypeError("fetch failed"));
});
afterEach(() => {
  vi.useRealTimers();
});

describe("SyncTransport", () => {
  it("opens a socket to /sync offering the token and room, and reports it open", async () => {
    const t = setup();
    t.transport.start(() => t.counts.ready++);
    await t.settle();
    expect(t.state()).toEqual({ kind: "connecting" });
    expect(t.last().url).toBe("wss://sync.example/sync");
    expect(parseSyncProtocol(t.last().protocol)).toEqual({ auth: "token-1", room: "u1" });
    t.last().open();
    expect(t.state()).toEqual({ kind: "open" });
    expect(t.counts.ready).toBe(1);
    t.transport.close();
    expect(t.last().closedWith).toEqual({ code: 1000, reason: "sync stopped" });
    expect(t.state()).toEqual({ kind: "closed" });
  });

  it("backs off exponentially with jitter while connections fail, and resets only after the server acknowledged", async () => {
    const t = setup();
    t.transport.start(() => {});
    await t.settle();
    const delays: number[] = [];
    for (let attempt = 0; attempt < 10; attempt++) {
      t.last().drop(1006);
      await t.settle();
      const waiting = t.state();
      if (waiting.kind !== "waiting") throw new Error(`expected waiting, got ${waiting.kind}`);
      expect(waiting.reason).toBe("the server cannot be reached");
      const delay = waiting.retryAt - Date.now();
      const ceiling = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** attempt);
      expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delay).toBeLessThanOrEqual(ceiling);
      delays.push(delay);
      const socketsBefore = t.sockets.length;
      await vi.advanceTimersByTimeAsync(delay - 1);
      expect(t.sockets.length).toBe(socketsBefore); // not a moment early
      await vi.advanceTimersByTimeAsync(1);
      expect(t.sockets.length).toBe(socketsBefore + 1);
    }
    expect(delays.at(-1)).toBeGreaterThanOrEqual(RECONNECT_MAX_MS / 2); // it reached the cap

    // A connection that opens but is never acknowledged does not reset the back-off.
    t.last().open();
    t.last().drop(1006, "going away");
    const notReset = t.state();
    if (notReset.kind !== "waiting") throw new Error(`expected waiting, got ${notReset.kind}`);
    expect(notReset.retryAt - Date.now()).toBeGreaterThanOrEqual(RECONNECT_MAX_MS / 2);
    await vi.advanceTimersByTimeAsync(notReset.retryAt - Date.now());

    // One the server acknowledged (a Pong) does: the next loss retries within the base delay.
    t.last().open();
    t.last().deliver({ _tag: tags.Pong });
    t.last().drop(1006, "going away");
    const waiting = t.state();
    if (waiting.kind !== "waiting") throw new Error(`expected waiting, got ${waiting.kind}`);
    expect(waiting.reason).toBe("going away");
    expect(waiting.retryAt - Date.now()).toBeLessThanOrEqual(RECONNECT_BASE_MS);
    expect(waiting.retryAt - Date.now()).toBeGreaterThanOrEqual(RECONNECT_BASE_MS / 2);
  });

  it("pings on every heartbeat and reconnects when nothing comes back", async () => {
    const t = setup();
    t.transport.start(() => {});
    await t.settle();
    const first = t.last();
    first.open();
    await vi.advanceTimersByTimeAsync(HEARTBEAT_INTERVAL_MS);
    expect(first.pings()).toBe(1);
    // Answered heartbeats keep the socket however long it lives.
    for (let i = 0; i < 5; i++) {
      first.deliver({ _tag: tags.Pong });
      await vi.advanceTimersByTimeAsync(HEARTBEAT_INTERVAL_MS);
    }
    expect(first.closedWith).toBeUndefined();
    expect(first.pings()).toBe(6);

    // The last Pong came an interval ago; at the next beat, more than interval + timeout has
    // passed in silence: the socket is let go and a new one tried.
    expect(HEARTBEAT_INTERVAL_MS * 2).toBeGreaterThan(HEARTBEAT_INTERVAL_MS + HEARTBEAT_TIMEOUT_MS);
    await vi.advanceTimersByTimeAsync(HEARTBEAT_INTERVAL_MS);
    expect(first.closedWith).toEqual({ code: 4000, reason: "heartbeat timeout" });
    const waiting = t.state();
    if (waiting.kind !== "waiting") throw new Error(`expected waiting, got ${waiting.kind}`);
    expect(waiting.reason).toBe("no answer from the server");
    await vi.advanceTimersByTimeAsync(RECONNECT_BASE_MS);
    expect(t.sockets.length).toBe(2);
  });

  it("a Pong acknowledges what was sent before its Ping", async () => {
    const t = setup();
    t.transport.start(() => {});
    await t.settle();
    t.last().open();
    expect(t.transport.unacknowledged).toBe(false);
    expect(t.transport.sendChanges(changes)).toBe("sent");
    expect(t.last().sent.map((m) => m._tag)).toEqual([tags.Changes, tags.Ping]);
    expect(t.transport.unacknowledged).toBe(true);
    expect(t.transport.sendChanges(changes)).toBe("sent");
    t.last().deliver({ _tag: tags.Pong });
    expect(t.transport.unacknowledged).toBe(true); // the second push is not acknowledged yet
    t.last().deliver({ _tag: tags.Pong });
    expect(t.transport.unacknowledged).toBe(false);
    expect(t.counts.acks).toBe(2);
  });

  it("a push is acknowledged by its own Pong, not by the answer to an earlier Ping that followed no push", async () => {
    const t = setup();
    t.transport.start(() => {});
    await t.settle();
    t.last().open();
    t.last().deliver({ _tag: tags.StartStreaming, since: [0n, 0], excludeSites: [], localOnly: false });
    expect(t.transport.unacknowledged).toBe(true); // the backlog's Ping
    expect(t.transport.pushUnacknowledged).toBe(false); // nothing of this device's waits on it
    expect(t.transport.sendChanges(changes)).toBe("sent");
    expect(t.transport.pushUnacknowledged).toBe(true);
    t.last().deliver({ _tag: tags.Pong }); // answers the backlog's Ping
    expect(t.transport.pushUnacknowledged).toBe(true);
    t.last().deliver({ _tag: tags.Pong });
    expect(t.transport.pushUnacknowledged).toBe(false);
    expect(t.transport.unacknowledged).toBe(false);
  });

  it("a Pong is reported only after the incoming batches received before it are applied", async () => {
    // A batch received just before a Pong must reach the device first: the acknowledgement makes
    // the values sent the ancestors of their cells, and a batch applied after it would merge
    // against an ancestor one step too new (issue 11).
    const t = setup();
    t.transport.start(() => {});
    await t.settle();
    t.last().open();
    const order: string[] = [];
    const gates: (() => void)[] = [];
    t.transport.onChangesReceived = () =>
      new Promise<void>((resolve) =>
        gates.push(() => {
          order.push("applied");
          resolve();
        }),
      );
    expect(t.transport.sendChanges(changes)).toBe("sent");
    t.last().deliver(changes);
    t.last().deliver(changes);
    t.last().deliver({ _tag: tags.Pong });
    await t.settle();
    expect(t.counts.acks).toBe(0); // both batches are still being applied
    gates.shift()!();
    await t.settle();
    expect(t.counts.acks).toBe(0); // the second is not
    gates.shift()!();
    await t.settle();
    expect(t.counts.acks).toBe(1);
    expect(order).toEqual(["applied", "applied"]);
    // With nothing being applied, a Pong is reported at once.
    t.last().deliver({ _tag: tags.Pong });
    expect(t.counts.acks).toBe(2);
  });

  it("a Pong after a batch that failed to apply is still reported", async () => {
    const t = setup();
    t.transport.start(() => {});
    await t.settle();
    t.last().open();
    t.transport.onChangesReceived = async () => {
      throw new Error("storage full");
    };
    t.last().deliver(changes);
    t.last().deliver({ _tag: tags.Pong });
    await t.settle();
    expect(t.counts.acks).toBe(1);
  });

  it("StartStreaming is reported and followed by a Ping that marks the end of the backlog", async () => {
    const t = setup();
    t.transport.start(() => {});
    await t.settle();
    t.last().open();
    t.last().deliver({ _tag: tags.StartStreaming, since: [0n, 0], excludeSites: [], localOnly: false });
    expect(t.counts.streaming).toBe(1);
    // Already out when streaming is reported: a new device is not "synced" before its backlog.
    expect(t.counts.unacknowledgedAtStreaming).toBe(1);
    expect(t.transport.unacknowledged).toBe(true);
    t.last().deliver({ _tag: tags.Pong });
    expect(t.transport.unacknowledged).toBe(false);
  });

  it("is receiving from a frame's arrival until it is applied and the Ping asking for the next page is out", async () => {
    const t = setup();
    t.transport.start(() => {});
    await t.settle();
    t.last().open();
    let applied = () => {};
    const seenWhileApplying: boolean[] = [];
    t.transport.onChangesReceived = () =>
      new Promise<void>((resolve) => {
        applied = () => {
          // The device's own apply-end status is derived here, before the Ping goes out.
          seenWhileApplying.push(t.transport.receiving || t.transport.unacknowledged);
          resolve();
        };
      });
    expect(t.transport.receiving).toBe(false);
    t.last().deliver(changes);
    expect(t.transport.receiving).toBe(true);
    await t.settle();
    applied();
    await t.settle();
    expect(seenWhileApplying).toEqual([true]);
    expect(t.transport.receiving).toBe(false);
    expect(t.transport.unacknowledged).toBe(true); // the Ping asking for the next page
    t.last().deliver({ _tag: tags.Pong });
    expect(t.transport.unacknowledged).toBe(false);
  });

  it("pings after each incoming batch is applied, so the server sends its next page; not after a failed one", async () => {
    const t = setup();
    t.transport.start(() => {});
    await t.settle();
    t.last().open();
    let fail = false;
    t.transport.onChangesReceived = async () => {
      if (fail) throw new Error("storage full");
    };
    t.last().deliver(changes);
    expect(t.last().pings()).toBe(0); // not before it is applied
    await t.settle();
    expect(t.last().pings()).toBe(1);
    fail = true;
    t.last().deliver(changes);
    await t.settle();
    expect(t.last().pings()).toBe(1);
  });

  it("refuses to send on a closed socket or a full buffer", async () => {
    const t = setup();
    expect(t.transport.sendChanges(changes)).toBe("reconnecting");
    t.transport.start(() => {});
    await t.settle();
    t.last().open();
    t.last().bufferedAmount = Number.MAX_SAFE_INTEGER;
    expect(t.transport.sendChanges(changes)).toBe("buffer-full");
  });

  it("says when a full buffer has room again, within a few polls, not the stock stream's second or more", async () => {
    const t = setup();
    t.transport.start(() => {});
    await t.settle();
    t.last().open();
    t.last().bufferedAmount = SEND_BUFFER_LIMIT_BYTES + 1;
    expect(t.transport.sendChanges(changes)).toBe("buffer-full");
    expect(t.transport.sendChanges(changes)).toBe("buffer-full"); // one watch, however many refusals
    await vi.advanceTimersByTimeAsync(10 * SEND_BUFFER_DRAIN_POLL_MS);
    expect(t.counts.drained).toBe(0); // still full
    t.last().bufferedAmount = SEND_BUFFER_LIMIT_BYTES / 2;
    await vi.advanceTimersByTimeAsync(SEND_BUFFER_DRAIN_POLL_MS);
    expect(t.counts.drained).toBe(1);
    expect(t.transport.sendChanges(changes)).toBe("sent");
    // A socket that goes away while full is not reported as drained.
    t.last().bufferedAmount = SEND_BUFFER_LIMIT_BYTES + 1;
    expect(t.transport.sendChanges(changes)).toBe("buffer-full");
    t.transport.close();
    await vi.advanceTimersByTimeAsync(10 * SEND_BUFFER_DRAIN_POLL_MS);
    expect(t.counts.drained).toBe(1);
  });

  it.each([...FINAL_CLOSE_CODES])("close code %i is final: reported with its reason, never retried", async (code) => {
    const t = setup();
    t.transport.start(() => {});
    await t.settle();
    t.last().open();
    t.last().deliver({ _tag: tags.Err, _reqid: 0, err: "the server's words" });
    t.last().drop(code, "refused: do this");
    expect(t.state()).toEqual({ kind: "failed", code, reason: "refused: do this" });
    await vi.advanceTimersByTimeAsync(10 * RECONNECT_MAX_MS);
    expect(t.sockets.length).toBe(1);

    // Without a reason on the close, the last Err frame says why.
    const u = setup();
    u.transport.start(() => {});
    await u.settle();
    u.last().open();
    u.last().deliver({ _tag: tags.Err, _reqid: 0, err: "the server's words" });
    u.last().drop(code);
    expect(u.state()).toEqual({ kind: "failed", code, reason: "the server's words" });
  });

  it("a refusal before the upgrade (which a browser sees as a network error) is told apart by /api/me", async () => {
    probe = async () => Response.json({ error: "token expired; sign in again" }, { status: 401 });
    const t = setup();
    t.transport.start(() => {});
    await t.settle();
    t.last().drop(1006);
    await t.settle();
    expect(t.state()).toEqual({ kind: "failed", code: CloseCode.Unauthorized, reason: "token expired; sign in again" });
    await vi.advanceTimersByTimeAsync(10 * RECONNECT_MAX_MS);
    expect(t.sockets.length).toBe(1);

    // A server that answers /api/me but refuses the socket is retried.
    probe = async () => Response.json({ userId: "u1", deviceId: "d1" });
    const u = setup();
    u.transport.start(() => {});
    await u.settle();
    u.last().drop(1006);
    await u.settle();
    expect(u.state()).toMatchObject({ kind: "waiting", reason: "the server refused the sync connection", code: CloseCode.ServerError });
  });

  it("says nothing more once closed, even when a probe started before answers after", async () => {
    let answer!: (response: Response) => void;
    probe = () => new Promise((resolve) => (answer = resolve));
    const t = setup();
    t.transport.start(() => {});
    await t.settle();
    t.last().drop(1006);
    await t.settle();
    t.transport.close();
    answer(Response.json({ error: "token expired; sign in again" }, { status: 401 }));
    await t.settle();
    expect(t.state()).toEqual({ kind: "closed" });
  });

  it.each([
    [CloseCode.ServerError, "The server had a problem, retrying"],
    [CloseCode.FrameTooLarge, "This note is too large to sync"],
    [CloseCode.StorageQuota, "The server is full for your account"],
    [CloseCode.TooManyConnections, "Too many windows or devices are syncing at once"],
  ])("close %i is a refusal, not offline: reported with its code and retried with back-off", async (code, problem) => {
    const t = setup();
    t.transport.start(() => {});
    await t.settle();
    t.last().open();
    t.last().drop(code);
    expect(t.state()).toMatchObject({ kind: "waiting", code, reason: problem });
    const first = t.state() as { retryAt: number };
    await vi.advanceTimersByTimeAsync(first.retryAt - Date.now());
    expect(t.sockets.length).toBe(2);
    t.last().open();
    t.last().deliver({ _tag: tags.Pong }); // a heartbeat's answer is not an acknowledged push
    t.last().drop(code, "server words");
    expect(t.state()).toMatchObject({ kind: "waiting", code, reason: "server words" });
    expect((t.state() as { retryAt: number }).retryAt - Date.now()).toBeGreaterThanOrEqual(RECONNECT_BASE_MS); // attempt 2: not reset
  });

  it("an HTTP refusal before the upgrade maps to its own code: 503 is a server error to retry, not a sign-out", async () => {
    probe = async () => Response.json({ error: "try again" }, { status: 503 });
    const t = setup();
    t.transport.start(() => {});
    await t.settle();
    t.last().drop(1006);
    await t.settle();
    expect(t.state()).toMatchObject({ kind: "waiting", code: CloseCode.ServerError, reason: "try again" });
    await vi.advanceTimersByTimeAsync(RECONNECT_BASE_MS);
    expect(t.sockets.length).toBe(2);
  });

  it.each([
    ["refuses every push after acknowledging the Ping", CloseCode.FrameTooLarge, true],
    ["acknowledges and then drops the socket", 1006, true],
    ["fails with a server error at once", CloseCode.ServerError, false],
  ])(`a server that %s gets at most MAX_RECONNECTS_PER_MINUTE (${MAX_RECONNECTS_PER_MINUTE}) attempts a minute`, async (_, code, acks) => {
    const t = setup();
    t.transport.start(() => {});
    await t.settle();
    const start = Date.now();
    const attemptTimes: number[] = [];
    const sockets = new Set<unknown>();
    while (Date.now() - start < 10 * 60_000) {
      const socket = t.last();
      if (!sockets.has(socket)) {
        sockets.add(socket);
        attemptTimes.push(Date.now());
        socket.open();
        if (acks) socket.deliver({ _tag: tags.Pong });
        if (acks && code === CloseCode.FrameTooLarge) t.transport.sendChanges(changes);
        socket.drop(code);
      }
      await vi.advanceTimersByTimeAsync(100);
    }
    const worstMinute = Math.max(...attemptTimes.map((at) => attemptTimes.filter((other) => other >= at && other < at + 60_000).length));
    console.log(`transport: worst minute ${worstMinute} attempts (${attemptTimes.length} in 10 min), server ${_}`);
    expect(worstMinute).toBeLessThanOrEqual(MAX_RECONNECTS_PER_MINUTE);
    expect(attemptTimes.length).toBeGreaterThan(10); // it does keep trying
  });

  it("offline waits for the network instead of retrying, and comes back at once", async () => {
    const t = setup();
    t.transport.start(() => {});
    await t.settle();
    t.last().open();
    t.network.set(false);
    expect(t.last().closedWith).toEqual({ code: 1000, reason: "offline" });
    expect(t.state()).toEqual({ kind: "waiting", retryAt: Number.POSITIVE_INFINITY, reason: "offline" });
    await vi.advanceTimersByTimeAsync(10 * RECONNECT_MAX_MS);
    expect(t.sockets.length).toBe(1);
    t.network.set(true);
    await t.settle();
    expect(t.sockets.length).toBe(2);
  });
});
