import { describe, expect, it } from "vitest";
import { CloseCode, FINAL_CLOSE_CODES } from "./syncProtocol";
import { deriveSyncStatus, type SyncFacts, type SyncStatus } from "./syncStatus";

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

  it("syncing, but nothing waiting, while incoming changes are applied", () => {
    expect(derive({ applying: true })).toEqual({ ...session, state: "syncing", waiting: false, lastSyncedAt: EARLIER });
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
      { applying: true },
      { streaming: false },
      { transport: { kind: "connecting" } },
    ];
    for (const facts of unsettled) expect(derive(facts, synced).state).not.toBe("synced");
  });

  it.each([...FINAL_CLOSE_CODES])("error with the reason and close code %i, changes still waiting", (code) => {
    expect(derive({ transport: { kind: "failed", code, reason: "refused: do this" }, unacknowledged: true })).toEqual({
      ...session,
      state: "error",
      reason: "refused: do this",
      code,
      waiting: true,
      lastSyncedAt: EARLIER,
    });
  });
});
