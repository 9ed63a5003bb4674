import { describe, expect, it } from "vitest";
import { CloseCode, FINAL_CLOSE_CODES } from "./syncProtocol";
import { refusalOfClose } from "./syncRefusals";
import { deriveSyncStatus, HELD_ACTION, type SyncFacts, type SyncStatus } from "./syncStatus";

const session = { userId: "u1", deviceId: "d1", serverUrl: "https://sync.example" };
const NOW = 1_700_000_000_000;
const EARLIER = NOW - 60_000;

/** Signed in, streaming, nothing waiting: the facts of a device that is in sync. */
const settled: SyncFacts = {
  session,
  transport: { kind: "open" },
  streaming: true,
  localChanges: false,
  unsent: false,
  unacknowledged: false,
  answerPending: false,
  applying: false,
  lastSyncedAt: EARLIER,
};
const connecting: SyncStatus = { state: "connecting" };
const derive = (facts: Partial<SyncFacts>, previous: SyncStatus = connecting) => deriveSyncStatus({ ...settled, ...facts }, previous, NOW);

describe("deriveSyncStatus", () => {
  it("signed out: only the state and when it last synced", () => {
    expect(derive({ session: undefined })).toEqual({ state: "signed-out", lastSyncedAt: EARLIER });
    expect(derive({ session: undefined, transport: { kind: "failed", code: CloseCode.Unauthorized, reason: "x" } }).state).toBe("signed-out");
  });

  it("offline while the transport waits to retry, with its reason and whether changes wait", () => {
    expect(derive({ transport: { kind: "waiting", retryAt: Number.POSITIVE_INFINITY, reason: "offline" }, localChanges: true })).toEqual({
      ...session,
      state: "offline",
      reason: "offline",
      waiting: true,
      lastSyncedAt: EARLIER,
    });
  });

  it("connecting until the socket is open and the server streams", () => {
    for (const transport of [{ kind: "connecting" }, { kind: "closed" }] as const) expect(derive({ transport }).state).toBe("connecting");
    expect(derive({ streaming: false })).toEqual({ ...session, state: "connecting", waiting: false, lastSyncedAt: EARLIER });
  });

  it("syncing while anything waits: local writes, unsent or unacknowledged changes", () => {
    for (const waiting of [{ localChanges: true }, { unsent: true }, { unacknowledged: true }]) {
      expect(derive(waiting)).toEqual({ ...session, state: "syncing", waiting: true, lastSyncedAt: EARLIER });
    }
  });

  it("syncing, but nothing waiting, while incoming changes are applied or the server's answer to a Ping is awaited", () => {
    expect(derive({ applying: true })).toEqual({ ...session, state: "syncing", waiting: false, lastSyncedAt: EARLIER });
    expect(derive({ answerPending: true })).toEqual({ ...session, state: "syncing", waiting: false, lastSyncedAt: EARLIER });
    // Offline with only such a Ping unanswered: no change of this device's is said to wait.
    expect(derive({ transport: { kind: "waiting", retryAt: NOW + 1_000, reason: "connection lost" }, answerPending: true })).toMatchObject({ state: "offline", waiting: false });
  });

  it("synced only when everything was acknowledged and nothing waits; entering it stamps the time", () => {
    expect(derive({})).toEqual({ ...session, state: "synced", waiting: false, lastSyncedAt: NOW });
    // Staying synced keeps the time it was reached.
    const synced: SyncStatus = { ...session, state: "synced", waiting: false, lastSyncedAt: EARLIER };
    expect(derive({}, synced).lastSyncedAt).toBe(EARLIER);
    // Any single fact that is not settled keeps it from "synced".
    const unsettled: Partial<SyncFacts>[] = [
      { localChanges: true },
      { unsent: true },
      { unacknowledged: true },
      { answerPending: true },
      { applying: true },
      { streaming: false },
      { transport: { kind: "connecting" } },
    ];
    for (const facts of unsettled) expect(derive(facts, synced).state).not.toBe("synced");
  });

  it.each([...FINAL_CLOSE_CODES])("error with the reason, the problem, the action and close code %i, changes still waiting", (code) => {
    expect(derive({ transport: { kind: "failed", code, reason: "refused: do this" }, unacknowledged: true })).toEqual({
      ...session,
      state: "error",
      reason: "refused: do this",
      problem: refusalOfClose(code)!.problem,
      action: refusalOfClose(code)!.action,
      code,
      waiting: true,
      lastSyncedAt: EARLIER,
    });
  });

  it("every refusal has its own status with its action; none of them reads as offline", () => {
    const expected: [number, RegExp, RegExp][] = [
      [CloseCode.Unauthorized, /sign-in/, /^Sign in again$/],
      [CloseCode.Forbidden, /not allowed/, /^Sign in again$/],
      [CloseCode.SchemaMismatch, /version/, /^Update the app$/],
      [CloseCode.InvalidChange, /refused a change/, /Update the app/],
      [CloseCode.FrameTooLarge, /^This note is too large to sync$/, /Shorten or split/],
      [CloseCode.ServerError, /^The server had a problem, retrying$/, /kept on this device/],
      [CloseCode.StorageQuota, /The server is full/, /Delete/],
      [CloseCode.TooManyConnections, /Too many windows/, /Close other windows/],
      [CloseCode.TooManyReconnects, /wait/, /retrying/],
    ];
    for (const [code, problem, action] of expected) {
      const transport = FINAL_CLOSE_CODES.has(code)
        ? ({ kind: "failed", code, reason: "server words" } as const)
        : ({ kind: "waiting", retryAt: NOW + 1_000, reason: "server words", code } as const);
      const status = derive({ transport });
      expect(status.state, `code ${code}`).toBe(FINAL_CLOSE_CODES.has(code) ? "error" : "refused");
      expect(status.problem).toMatch(problem);
      expect(status.action).toMatch(action);
      expect(status.reason).toBe("server words");
    }
    // An ordinary disconnect (no refusal code) while retrying is offline: the server cannot be reached.
    expect(derive({ transport: { kind: "waiting", retryAt: NOW + 1_000, reason: "the server cannot be reached" } }).state).toBe("offline");
  });

  it("held changes: synced otherwise, named, with what to do; listed in every state", () => {
    const held = [{ table: "notes", id: "n1", column: "body", bytes: 600_000, title: "Big" }];
    expect(derive({ held })).toEqual({ ...session, state: "held", held, action: HELD_ACTION, waiting: false, lastSyncedAt: NOW });
    expect(derive({ held, localChanges: true })).toMatchObject({ state: "syncing", held });
    expect(derive({ held, transport: { kind: "waiting", retryAt: Number.POSITIVE_INFINITY, reason: "offline" } })).toMatchObject({ state: "offline", held });
  });
});
