/**
 * One contract for every `SqlDatabase` backend: the DO's storage (sqlStore.test.ts, in workerd)
 * and node:sqlite (sqlStore.unit.test.ts). It pins the seam's conventions and the ChangeLogStore
 * rules that depend on them, so relay tests on node:sqlite say something true about the DO.
 */
import type { Change } from "@vlcn.io/ws-common";
import { describe, expect, it } from "vitest";
import { ChangeLogStore } from "../worker/changeLogStore";
import { noteChange } from "./fakeRelaySocket";
import type { SqlDatabase } from "../worker/sqlStore";

/** Runs `test` against a fresh database of the backend. */
export type WithDatabase = (test: (db: SqlDatabase) => void) => Promise<void>;

const site = (n: number) => new Uint8Array(16).fill(n);
const values = (entries: { value: unknown }[]) => entries.map((e) => e.value);

export function sqlStoreContract(backend: string, withDb: WithDatabase): void {
  describe(`SqlDatabase contract: ${backend}`, () => {
    it("round-trips blobs as ArrayBuffer byte for byte, and numbers, text and null as themselves", () =>
      withDb(({ sql }) => {
        sql.exec("CREATE TABLE contract_values (k INTEGER PRIMARY KEY, v)");
        const bytes = new Uint8Array([0, 1, 254, 255]);
        sql.exec("INSERT INTO contract_values (k, v) VALUES (?, ?), (?, ?), (?, ?), (?, ?)", 1, bytes.slice().buffer, 2, 42, 3, "text", 4, null);
        const rows = sql.exec("SELECT v FROM contract_values ORDER BY k").toArray();
        expect(rows[0]!.v).toBeInstanceOf(ArrayBuffer);
        expect(new Uint8Array(rows[0]!.v as ArrayBuffer)).toEqual(bytes);
        expect(rows.slice(1).map((r) => r.v)).toEqual([42, "text", null]);
        expect(sql.exec("SELECT 1 FROM contract_values WHERE v = ?", bytes.slice().buffer).toArray()).toHaveLength(1);
      }));

    it("runs every statement of a script, and counts the rows a write touched", () =>
      withDb(({ sql }) => {
        sql.exec("CREATE TABLE contract_a (x); CREATE TABLE contract_b (y);\n INSERT INTO contract_b VALUES (1), (2);");
        expect(sql.exec("UPDATE contract_b SET y = y + 1").rowsWritten).toBe(2);
        expect(sql.exec("SELECT count(*) AS n FROM contract_a").toArray()).toEqual([{ n: 0 }]);
      }));

    it("reports the database's size in bytes, which grows with what is stored (the quota counts it)", () =>
      withDb(({ sql }) => {
        const empty = sql.databaseSize;
        expect(empty).toBeGreaterThanOrEqual(0);
        sql.exec("CREATE TABLE contract_size (v)");
        sql.exec("INSERT INTO contract_size VALUES (?)", new Uint8Array(200_000).fill(7).buffer);
        expect(sql.databaseSize).toBeGreaterThan(empty + 200_000);
      }));

    it("commits a transaction that returns, and rolls back every write of one that throws", () =>
      withDb((db) => {
        db.sql.exec("CREATE TABLE contract_tx (x)");
        expect(db.transactionSync(() => (db.sql.exec("INSERT INTO contract_tx VALUES (1)"), "kept"))).toBe("kept");
        expect(() =>
          db.transactionSync(() => {
            db.sql.exec("INSERT INTO contract_tx VALUES (2)");
            throw new Error("boom");
          }),
        ).toThrow("boom");
        expect(db.sql.exec("SELECT x FROM contract_tx").toArray()).toEqual([{ x: 1 }]);
      }));
  });

  describe(`ChangeLogStore on ${backend}`, () => {
    it("keeps its site id, head and owner across a reopen", () =>
      withDb((db) => {
        const store = new ChangeLogStore(db);
        expect(store.serverSiteId).toHaveLength(16);
        store.setOwner("alice");
        store.touchPeer(site(1), "a");
        store.append(site(1), [noteChange("n1", "title", "x")], { version: 1, seq: 0 });
        const reopened = new ChangeLogStore(db);
        expect(reopened.serverSiteId).toEqual(store.serverSiteId);
        expect(reopened.head).toBe(1);
        expect(reopened.owner()).toBe("alice");
        expect(reopened.peerCursor(site(1))).toEqual({ version: 1, seq: 0 });
      }));

    it("stores values with their wire type and reads them back to everyone but their origin", () =>
      withDb((db) => {
        const store = new ChangeLogStore(db);
        store.touchPeer(site(1), "a");
        const changes: Change[] = [
          noteChange("n1", "-1", null),
          noteChange("n1", "title", "héllo"),
          ["views", new Uint8Array([1, 11, 3, 118, 49, 50]), "position", 3n, 1n, 1n, null, 1n, 2] as Change,
          ["views", new Uint8Array([1, 11, 3, 118, 49, 51]), "position", 3, 1n, 1n, null, 1n, 3] as Change,
          ["reminders", new Uint8Array([1, 11, 1, 114]), "payload", new Uint8Array([9, 8]), 1n, 1n, null, 1n, 4] as Change,
        ];
        expect(store.append(site(1), changes, { version: 1, seq: 4 })).toBe(5);
        expect(store.readSince(0, site(1), 100)).toEqual([]);
        const entries = store.readSince(0, site(2), 100);
        expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
        expect(values(entries)).toEqual([null, "héllo", 3n, 3, new Uint8Array([9, 8])]);
        expect(typeof entries[2]!.value).toBe("bigint");
        expect(typeof entries[3]!.value).toBe("number");
        expect(store.readSince(2, site(2), 2).map((e) => e.seq)).toEqual([3, 4]);
        expect(store.stats()).toEqual({ head: 5, rows: 5, peers: 1, notes: 1 });
      }));

    it("compacts by merge order: higher col_version replaces, lower is dropped, ties are kept, a delete leaves its tombstone", () =>
      withDb((db) => {
        const store = new ChangeLogStore(db);
        const cursor = { version: 1, seq: 0 };
        store.append(site(1), [noteChange("n1", "title", "a", { colVersion: 2n }), noteChange("n1", "body", "b")], cursor);
        store.append(site(1), [noteChange("n1", "title", "stale", { colVersion: 1n })], cursor);
        expect(values(store.readSince(0, site(9), 100))).toEqual(["a", "b"]);
        store.append(site(2), [noteChange("n1", "title", "tie", { colVersion: 2n }), noteChange("n1", "title", "a", { colVersion: 2n })], cursor);
        expect(values(store.readSince(0, site(9), 100))).toEqual(["a", "b", "tie"]);
        store.append(site(2), [noteChange("n1", "title", "newer", { colVersion: 3n })], cursor);
        const afterEdit = store.readSince(0, site(9), 100);
        expect(values(afterEdit)).toEqual(["b", "newer"]);
        expect(afterEdit.at(-1)!.seq).toBe(4); // a winner gets a new seq, never an old one
        store.append(site(1), [noteChange("n1", "-1", null, { colVersion: 2n, cl: 2n })], cursor);
        expect(store.readSince(0, site(9), 100).map((e) => [e.cid, e.cl])).toEqual([["-1", 2]]);
        expect(store.head).toBe(5);
        expect(store.stats().notes).toBe(0); // deleted: not a note a new device receives
      }));

    it("an append that fails halfway stores nothing, leaves the cursor and head where they were", () =>
      withDb((db) => {
        const store = new ChangeLogStore(db);
        store.touchPeer(site(1), "a");
        store.append(site(1), [noteChange("n0", "title", "kept")], { version: 1, seq: 0 });
        // `true` has no wire type: storing it throws after the first change was written.
        const failing = [noteChange("n1", "title", "lost", { dbVersion: 2n }), noteChange("n2", "title", true, { dbVersion: 2n, seq: 1 })];
        expect(() => store.append(site(1), failing, { version: 2, seq: 1 })).toThrow(/no wire type/);
        expect(store.stats()).toEqual({ head: 1, rows: 1, peers: 1, notes: 1 }); // n1 was never stored
        expect(store.peerCursor(site(1))).toEqual({ version: 1, seq: 0 });
        store.append(site(1), [noteChange("n1", "title", "next", { dbVersion: 2n })], { version: 2, seq: 0 });
        expect(store.readSince(0, site(9), 100).map((e) => [e.seq, e.value])).toEqual([[1, "kept"], [2, "next"]]);
      }));
  });
}
