import type { Transport } from "@vlcn.io/ws-client";
import { tags, type Change } from "@vlcn.io/ws-common";
import { describe, expect, it, vi } from "vitest";
import { openMemoryReplica } from "../../../testing/nodeReplica";
import { serialised } from "../../../testing/replicaTools";
import { readHeld } from "./heldChanges";
import { SyncDb } from "./syncDb";
import { COPY_VERSION_SETTING } from "../db-worker/snapshot";

const SERVER = new Uint8Array(16).fill(9);

describe("SyncDb", () => {
  it("hands out a huge transaction in bounded chunks and never skips one whose send failed", async () => {
    const db = await openMemoryReplica();
    const body = "x".repeat(2_000);
    await db.transaction(async () => {
      for (let i = 0; i < 1_000; i++) await db.exec("INSERT INTO notes (id, body) VALUES (?, ?)", [`n${String(i).padStart(4, "0")}`, body]);
    });
    const syncDb = await SyncDb.open(serialised(db));
    let outcome: "sent" | "reconnecting" = "sent";
    const transport = syncDb.watchSends({ sendChanges: (_msg: never) => outcome });

    const first = await syncDb.pullChangeset([0n, 0], [SERVER]);
    transport.sendChanges(undefined as never);
    const version = first.at(-1)![5];
    const second = await syncDb.pullChangeset([version, 0], [SERVER]); // the stock stream's cursor after a send
    expect(second[0]![8]).toBe(first.at(-1)![8] + 1); // resumes inside the transaction
    outcome = "reconnecting";
    transport.sendChanges(undefined as never); // this one fails: the stream rewinds and asks again
    const again = await syncDb.pullChangeset([version, 0], [SERVER]);
    expect(again.map((c) => c[8])).toEqual(second.map((c) => c[8]));
    outcome = "sent";

    const seen = new Set<string>();
    let since: [bigint, number] = [0n, 0];
    for (let chunk = await syncDb.pullChangeset(since, [SERVER]); chunk.length > 0; chunk = await syncDb.pullChangeset(since, [SERVER])) {
      expect(chunk.reduce((n, c) => n + String(c[3] ?? "").length, 0)).toBeLessThan(512 * 1024);
      for (const c of chunk) seen.add(`${c[5]}:${c[8]}`);
      transport.sendChanges(undefined as never);
      since = [chunk.at(-1)![5], 0]; // what the stock stream does after a send
    }
    expect(seen.size).toBe((await db.exec("SELECT count(*) FROM crsql_changes")).rows[0]![0]);
  });

  it("reads each change of a huge transaction once across its chunks, and a cell rewritten meanwhile still goes out at its new version", async () => {
    const db = await openMemoryReplica();
    const body = "x".repeat(2_000);
    await db.transaction(async () => {
      for (let i = 0; i < 1_000; i++) await db.exec("INSERT INTO notes (id, body) VALUES (?, ?)", [`n${String(i).padStart(4, "0")}`, body]);
    });
    const total = Number((await db.exec("SELECT count(*) FROM crsql_changes")).rows[0]![0]);
    let rowsRead = 0;
    const exec = db.exec.bind(db);
    db.exec = async (sql, params) => {
      const result = await exec(sql, params);
      if (/FROM crsql_changes/.test(sql)) rowsRead += result.rows.length;
      return result;
    };
    const syncDb = await SyncDb.open(serialised(db));
    const transport = syncDb.watchSends({ sendChanges: (_msg: never) => "sent" as const });
    const sent: Change[] = [];
    let since: [bigint, number] = [0n, 0];
    let chunks = 0;
    for (let chunk = await syncDb.pullChangeset(since, [SERVER]); chunk.length > 0; chunk = await syncDb.pullChangeset(since, [SERVER])) {
      sent.push(...chunk);
      transport.sendChanges(undefined as never);
      since = [chunk.at(-1)![5], 0];
      // After the first chunk went out, a note it did not carry (but the pull already read) is edited.
      if (++chunks === 1) await db.exec("UPDATE notes SET body = 'edited' WHERE id = 'n0100'");
    }
    expect(chunks).toBeGreaterThan(3);
    // About once per row (the old code read a page per chunk: about 7× here); a later version's first
    // rows may be read again while the transaction's last rows still fill the chunks.
    expect(rowsRead).toBeLessThan((total + 1) * 1.05);
    expect(sent.length).toBeGreaterThanOrEqual(total);
    const last = sent.filter(([, , cid, val]) => cid === "body" && (val === "edited" || val === body)).at(-1)!;
    expect(last[3]).toBe("edited");
    expect(last[5]).toBeGreaterThan(sent[0]![5]);
  });

  it("applies received changes as the sender's, in one transaction with the sender's new version", async () => {
    const origin = await openMemoryReplica();
    await origin.exec("INSERT INTO notes (id, title) VALUES ('n1', 'from afar')");
    const pulled = await (await SyncDb.open(serialised(origin))).pullChangeset([0n, 0], [SERVER]);
    // As the server relays them: its own db_version, no site id.
    const relayed = pulled.map((c): Change => [c[0], c[1], c[2], c[3], c[4], 7n, null, c[7], c[8]]);

    const db = await openMemoryReplica();
    const syncDb = await SyncDb.open(serialised(db));
    await syncDb.applyChangesetAndSetLastSeen(relayed, SERVER, [7n, 0]);
    expect((await db.exec("SELECT title FROM notes")).rows).toEqual([["from afar"]]);
    const sites = (await db.exec("SELECT DISTINCT site_id FROM crsql_changes")).rows.map((r) => [...(r[0] as Uint8Array)]);
    expect(sites).toEqual([[...SERVER]]); // never null: a null site id would be pushed back as a local write
    expect(await syncDb.pullChangeset([0n, 0], [SERVER])).toEqual([]);
    expect(await syncDb.getLastSeens()).toEqual([[SERVER, [7n, 0]]]);

    // A change that cannot be applied leaves neither its batch nor the version behind.
    const broken: Change = ["notes", relayed[0]![1], "no_such_column", "x", 1n, 8n, null, 1n, 0];
    await expect(syncDb.applyChangesetAndSetLastSeen([...relayed, broken], SERVER, [8n, 0])).rejects.toThrow();
    expect(await syncDb.getLastSeens()).toEqual([[SERVER, [7n, 0]]]);
  });

  it("after a first sync, a save's pull starts above the changes received, and every change of the device's own still goes out", async () => {
    const origin = await openMemoryReplica();
    await origin.transaction(async () => {
      for (let i = 0; i < 300; i++) await origin.exec("INSERT INTO notes (id, title) VALUES (?, ?)", [`n${i}`, `note ${i}`]);
    });
    const received = (await (await SyncDb.open(serialised(origin))).pullChangeset([0n, 0], [SERVER])).map((c, i): Change => [c[0], c[1], c[2], c[3], c[4], BigInt(1 + Math.floor(i / 500)), null, c[7], c[8]]);
    const db = await openMemoryReplica();
    const pulledFrom: bigint[] = [];
    const exec = db.exec.bind(db);
    db.exec = async (sql, params) => {
      if (/FROM crsql_changes\s+WHERE db_version > \?/.test(sql)) pulledFrom.push(BigInt(params![0] as number | bigint));
      return exec(sql, params);
    };
    const syncDb = await SyncDb.open(serialised(db));
    const transport = syncDb.watchSends({ sendChanges: (_msg: never) => "sent" as const });
    // Connected: the stream's first pull finds nothing of the device's own.
    expect(await syncDb.pullChangeset([0n, 0], [SERVER])).toEqual([]);
    for (let at = 0; at < received.length; at += 500) await syncDb.applyChangesetAndSetLastSeen(received.slice(at, at + 500), SERVER, [received[at]![5], 0]);
    expect((await db.exec("SELECT count(*) FROM notes")).rows[0]![0]).toBe(300);
    const before = BigInt((await db.exec("SELECT crsql_db_version()")).rows[0]![0] as number);

    await db.exec("INSERT INTO notes (id, title) VALUES ('mine', 'written here')");
    // The server has nothing of this device's yet: its cursor is 0.
    const mine = await syncDb.pullChangeset([0n, 0], [SERVER]);
    expect(new Set(mine.map((c) => Buffer.from(c[1]).toString("hex"))).size).toBe(1); // one note: the device's
    expect(mine.some((c) => c[3] === "written here")).toBe(true);
    expect(pulledFrom.at(-1)).toBeGreaterThanOrEqual(before); // not 0: the received changes are not read again
    transport.sendChanges(undefined as never);

    // A change written between a pull and an apply keeps the floor where it was: it still goes out.
    await syncDb.acknowledgeSent();
    await db.exec("INSERT INTO notes (id, title) VALUES ('mine2', 'written before a frame')");
    await syncDb.applyChangesetAndSetLastSeen([["notes", received[0]![1], "title", "renamed afar", 2n, 9n, null, 1n, 0]], SERVER, [9n, 0]);
    const next = await syncDb.pullChangeset([mine.at(-1)![5], 0], [SERVER]);
    expect(next.some((c) => c[3] === "written before a frame")).toBe(true);
    expect(next.some((c) => c[3] === "renamed afar")).toBe(false);
  });

  it("a change sent and acknowledged is read again whenever the cursor asks from below it (a frame the server dropped); the copy a device started from is never read", async () => {
    const db = await openMemoryReplica();
    await db.exec("INSERT INTO notes (id, title) VALUES ('a', 'sent once')");
    const syncDb = await SyncDb.open(serialised(db));
    const transport = syncDb.watchSends({ sendChanges: (_msg: never) => "sent" as const });
    const first = await syncDb.pullChangeset([0n, 0], [SERVER]);
    expect(first.some((c) => c[3] === "sent once")).toBe(true);
    transport.sendChanges(undefined as never);
    await syncDb.acknowledgeSent(); // a Pong, which the server also sends for a frame it dropped (before presence, or on a gap)
    // The server asks from 0 again: what it lacks is read and sent again, acknowledgement or not.
    expect((await syncDb.pullChangeset([0n, 0], [SERVER])).some((c) => c[3] === "sent once")).toBe(true);
    expect(await syncDb.pullChangeset([first.at(-1)![5], 0], [SERVER])).toEqual([]); // the stream's cursor after the send
    syncDb.forgetUnacknowledged();
    expect((await syncDb.pullChangeset([0n, 0], [SERVER])).some((c) => c[3] === "sent once")).toBe(true);

    // A device that started from the account's copy: nothing at or below its version is its own.
    const copied = await openMemoryReplica();
    await copied.exec("INSERT INTO notes (id, title) VALUES ('c', 'from the copy')");
    await copied.exec("INSERT INTO local_settings (key, value) VALUES (?, CAST(crsql_db_version() AS TEXT))", [COPY_VERSION_SETTING]);
    await copied.exec("INSERT INTO notes (id, title) VALUES ('d', 'written after the copy')");
    const fromCopy = await SyncDb.open(serialised(copied));
    fromCopy.forgetUnacknowledged();
    expect((await fromCopy.pullChangeset([0n, 0], [SERVER])).filter((c) => c[2] === "title").map((c) => c[3])).toEqual(["written after the copy"]);
  });

  it("holds aside a change no frame can carry, names it, sends the rest, and lets go once it is rewritten", async () => {
    const db = await openMemoryReplica();
    await db.exec("DROP TRIGGER notes_cell_size_insert"); // as an older version wrote it, before the limit
    await db.exec("INSERT INTO notes (id, title, body) VALUES ('big', 'Big one', ?)", ["€".repeat(200_000)]);
    await db.exec("INSERT INTO notes (id, title) VALUES ('after', 'written after')");
    let heldCount = 0;
    const syncDb = await SyncDb.open(serialised(db), { onHeld: (n) => (heldCount += n) });
    const pulled = await syncDb.pullChangeset([0n, 0], [SERVER]);
    expect(pulled.some((c) => c[2] === "body" && String(c[3]).length > 100_000)).toBe(false);
    expect(pulled.filter((c) => c[2] === "title").map((c) => c[3])).toEqual(["Big one", "written after"]);
    expect(heldCount).toBe(1);
    expect(await readHeld(db)).toEqual([{ table: "notes", id: "big", column: "body", bytes: expect.any(Number), title: "Big one" }]);
    expect((await readHeld(db))[0]!.bytes).toBeGreaterThan(600_000);

    await db.exec("UPDATE notes SET body = 'short now' WHERE id = 'big'");
    expect(await readHeld(db)).toEqual([]);
    const next = await syncDb.pullChangeset([pulled.at(-1)![5], 0], [SERVER]);
    expect(next.map((c) => [c[2], c[3]])).toEqual([["body", "short now"]]);
  });

  it("a change announced during a pull asks again after that pull, never beside it (the stock stream would drop the second)", async () => {
    const db = await openMemoryReplica();
    await db.exec("INSERT INTO notes (id, title) VALUES ('a', 'first')");
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const exclusive = serialised(db);
    let slow = false;
    const syncDb = await SyncDb.open(async (fn) => {
      if (slow) await gate; // the pull's database read is slow
      return exclusive(fn);
    });
    slow = true;
    const announced: number[] = [];
    syncDb.onChange(() => announced.push(Date.now()));
    const pull = syncDb.pullChangeset([0n, 0], [SERVER]);
    syncDb.notifyLocalChange(); // a write lands while the pull is under way
    expect(announced).toHaveLength(0);
    release();
    expect((await pull).map((c) => c[3])).toContain("first");
    await new Promise((r) => setTimeout(r, 0));
    expect(announced).toHaveLength(1); // asked again once the pull is done
    syncDb.notifyLocalChange();
    expect(announced).toHaveLength(2); // no pull under way: at once
  });

  it("a stopped sync pulls nothing more: not on the stock stream's retry timer, nor from a pull the closing cut short", async () => {
    const db = await openMemoryReplica();
    await db.exec("INSERT INTO notes (id, title) VALUES ('a', 'written offline')");
    let pulls = 0;
    const syncDb = await SyncDb.open(serialised(db), { onPullStart: () => pulls++ });
    // The socket is down: every send answers "reconnecting", so the stock stream retries on a timer.
    const transport: Transport = {
      onChangesReceived: null,
      onStartStreaming: null,
      onResetStream: null,
      start: (onReady) => onReady(),
      announcePresence: () => undefined,
      sendChanges: () => "reconnecting",
      rejectChanges: () => undefined,
      close: () => undefined,
    };
    const synced = await syncDb.syncOver(transport, { url: "http://cobrain.test/sync", room: "u" });
    await synced.start();
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      await transport.onStartStreaming!({ _tag: tags.StartStreaming, since: [0n, 0], excludeSites: [SERVER], localOnly: false });
      await vi.waitFor(() => expect(pulls).toBe(1), { interval: 1 });
      await vi.advanceTimersByTimeAsync(3_100);
      expect(pulls).toBe(2); // the retry timer is armed
      synced.stop(); // signed out, or the session restarts
      await vi.advanceTimersByTimeAsync(60_000);
      expect(pulls).toBe(2);
    } finally {
      vi.useRealTimers();
    }

    // A pull under way when its database closes ends with nothing, never an unhandled rejection.
    const exclusive = serialised(db);
    const second = await SyncDb.open(exclusive);
    let slow: Promise<void> | undefined;
    const gated = await SyncDb.open(async (fn) => {
      await slow;
      return exclusive(fn);
    });
    let letGo: () => void = () => {};
    slow = new Promise<void>((r) => (letGo = r));
    const pull = gated.pullChangeset([0n, 0], [SERVER]);
    gated.close();
    await db.close();
    letGo();
    await expect(pull).resolves.toEqual([]);
    expect(await second.pullChangeset([0n, 0], [SERVER]).catch((e: Error) => e.message)).toBe("the database is closed"); // an open adapter still says so
  });
});
