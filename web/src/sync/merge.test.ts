/**
 * cr-sqlite's merge rules on CoBrain's schema, with real cr-sqlite replicas and every change
 * passed through the real ws-common wire encoding, as sync will carry it. Changes are pulled and
 * applied by SyncDb, the adapter the app's sync client runs on, so these rules are tested on the
 * very path the app takes (there is no second apply path to drift from it).
 */
import { decode, encode, tags, type Changes } from "@vlcn.io/ws-common";
import { beforeEach, describe, expect, it } from "vitest";
import { openMemoryReplica } from "../../../testing/nodeReplica";
import { serialised } from "../../../testing/replicaTools";
import type { SqliteConnection } from "../db-worker/sqlite/connection";
import { SyncDb } from "./syncDb";

type Replica = SqliteConnection;

/**
 * Sends everything `from` has that `to` did not send it, in an encoded Changes frame, as a server
 * relaying between the two would: pulled by `from`'s SyncDb, applied by `to`'s.
 */
async function send(from: Replica, to: Replica): Promise<void> {
  const [source, target] = await Promise.all([SyncDb.open(serialised(from)), SyncDb.open(serialised(to))]);
  const changes = await source.pullChangeset([0n, 0], [target.siteid]);
  const frame = encode({ _tag: tags.Changes, sender: source.siteid, since: [0n, 0], changes });
  const msg = decode(frame) as Changes;
  await target.applyChangesetAndSetLastSeen(msg.changes, msg.sender, [changes.at(-1)?.[5] ?? 0n, 0]);
}

async function exchange(a: Replica, b: Replica): Promise<void> {
  await send(a, b);
  await send(b, a);
}

const note = async (db: Replica, id = "n1") =>
  (await db.exec("SELECT title, body, pinned FROM notes WHERE id = ?", [id])).rows[0];

describe("merge rules of the CoBrain schema", () => {
  let a: Replica;
  let b: Replica;
  beforeEach(async () => {
    a = await openMemoryReplica();
    b = await openMemoryReplica();
    await a.exec("INSERT INTO notes (id, title, body) VALUES ('n1', 'base', 'text')");
    await send(a, b);
  });

  it("same column edited once on each replica: the greater value wins on both", async () => {
    await a.exec("UPDATE notes SET title = 'apple' WHERE id = 'n1'");
    await b.exec("UPDATE notes SET title = 'banana' WHERE id = 'n1'");
    await exchange(a, b);
    expect(await note(a)).toEqual(["banana", "text", 0]);
    expect(await note(b)).toEqual(await note(a));
  });

  it("same column: more edits beat a later single edit with a greater value", async () => {
    await a.exec("UPDATE notes SET title = 'A1' WHERE id = 'n1'");
    await a.exec("UPDATE notes SET title = 'A2' WHERE id = 'n1'");
    await b.exec("UPDATE notes SET title = 'zzz-later' WHERE id = 'n1'");
    await exchange(a, b);
    expect(await note(a)).toEqual(["A2", "text", 0]);
    expect(await note(b)).toEqual(["A2", "text", 0]);
  });

  it("different columns edited concurrently both survive", async () => {
    await a.exec("UPDATE notes SET title = 'new title' WHERE id = 'n1'");
    await b.exec("UPDATE notes SET pinned = 1 WHERE id = 'n1'");
    await exchange(a, b);
    expect(await note(a)).toEqual(["new title", "text", 1]);
    expect(await note(b)).toEqual(["new title", "text", 1]);
  });

  it("delete beats concurrent edits", async () => {
    await a.exec("DELETE FROM notes WHERE id = 'n1'");
    await b.exec("UPDATE notes SET title = 'edit 1' WHERE id = 'n1'");
    await b.exec("UPDATE notes SET body = 'edit 2' WHERE id = 'n1'");
    await exchange(a, b);
    expect(await note(a)).toBeUndefined();
    expect(await note(b)).toBeUndefined();
  });

  it("re-inserting after a delete revives the row everywhere", async () => {
    await a.exec("DELETE FROM notes WHERE id = 'n1'");
    await exchange(a, b);
    await b.exec("INSERT INTO notes (id, title) VALUES ('n1', 'back again')");
    await exchange(a, b);
    expect(await note(a)).toEqual(["back again", "", 0]);
    expect(await note(b)).toEqual(["back again", "", 0]);
  });
});

describe("integers survive a changeset round trip exactly", () => {
  const values = [2n ** 31n - 1n, 2n ** 31n, 2n ** 32n + 7n, 2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 63n), 1_764_059_716_123n];

  it.each(values.map((v) => [v]))("%s arrives as the same INTEGER", async (value) => {
    const a = await openMemoryReplica();
    const b = await openMemoryReplica();
    await a.exec("INSERT INTO reminders (id, due_at) VALUES ('r1', ?)", [value]);
    await send(a, b);
    expect((await b.exec("SELECT due_at = ?, typeof(due_at) FROM reminders", [value])).rows).toEqual([[1, "integer"]]);
  });

  it("a millisecond timestamp written as a JS number stays INTEGER", async () => {
    const a = await openMemoryReplica();
    const b = await openMemoryReplica();
    const now = 1_764_059_716_123;
    await a.exec("INSERT INTO notes (id, updated_at) VALUES ('n1', ?)", [now]);
    await send(a, b);
    expect((await b.exec("SELECT updated_at, typeof(updated_at) FROM notes")).rows).toEqual([[now, "integer"]]);
  });

  it("concurrent edits of the same INTEGER cell converge to one value on both replicas", async () => {
    const a = await openMemoryReplica();
    const b = await openMemoryReplica();
    await a.exec("INSERT INTO reminders (id, due_at) VALUES ('r1', 0)");
    await send(a, b);
    await a.exec("UPDATE reminders SET due_at = ? WHERE id = 'r1'", [2n ** 62n]);
    await b.exec("UPDATE reminders SET due_at = ? WHERE id = 'r1'", [1_764_059_716_123]);
    await exchange(a, b);
    const read = (db: Replica) => db.exec("SELECT due_at, typeof(due_at) FROM reminders");
    expect((await read(a)).rows).toEqual([[2n ** 62n, "integer"]]);
    expect((await read(b)).rows).toEqual((await read(a)).rows);
  });
});
