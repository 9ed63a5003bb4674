/**
 * The contract of snapshot.ts, on real cr-sqlite: a new device that starts from a synced device's
 * copy ends exactly where one that replayed the server's whole log ends (notes, clocks, the
 * search index), holds nothing private of the maker, has a site id of its own, sends nothing back,
 * and syncs on as any device; a copy that is not sound is refused with the reason.
 */
import { describe, expect, it } from "vitest";
import type { Change } from "@vlcn.io/ws-common";
import { nodeSqliteApi } from "../../../scripts/lib/nodeSqlite";
import { openMemoryReplica } from "../../../testing/nodeReplica";
import { applyChanges, siteIdOf } from "./changes";
import { prepareDatabase } from "./prepare";
import { adoptCopy, BadCopyError, COPY_VERSION_SETTING, makeCopy, NoCopyError, privateRowsOf } from "./snapshot";
import { registerMemoryVfs } from "./sqlite/emptyDatabase";
import { SqliteConnection, type SqlValue } from "./sqlite/connection";
import type { FileVfs } from "./sqlite/placeEmptyDatabase";
import { readDatabaseFile } from "./sqlite/readDatabaseFile";
import { changeColumns, rowToChange } from "./changes";
import { isMergedText, setAncestors } from "../merge/cellMerge";

const SERVER = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
const SECRET = "maker-secret-token-7f3c";
const DELETED = "deleted-on-the-maker-91b2";

/** Changes `db` wrote itself after `since`, as it would push them. */
async function ownChanges(db: SqliteConnection, since = 0): Promise<Change[]> {
  const { rows } = await db.exec(`SELECT ${changeColumns("NULL")} FROM crsql_changes WHERE db_version > ? AND site_id = crsql_site_id() ORDER BY db_version, seq`, [since]);
  return rows.map(rowToChange);
}

async function writeNotes(db: SqliteConnection, prefix: string, count: number) {
  await db.transaction(async () => {
    for (let i = 0; i < count; i++) {
      await db.exec("INSERT INTO notes (id, title, body, updated_at) VALUES (?, ?, ?, ?)", [`${prefix}-${i}`, `${prefix} title ${i}`, `body ${prefix} ${i} giraffe${i % 3}`, i]);
    }
  });
}

/** Opens `bytes` as a device's database (in memory), migrated as the app opens one. */
async function openBytes(bytes: Uint8Array): Promise<SqliteConnection> {
  const api = await nodeSqliteApi();
  const vfs = registerMemoryVfs(api);
  const data = bytes.slice().buffer;
  vfs.mapNameToFile.set("device.db", { name: "device.db", flags: 0, size: data.byteLength, data } as never);
  const db = await SqliteConnection.open(api, "device.db", vfs.name);
  await prepareDatabase(db);
  return db;
}

/** What a device holds that must not depend on how it got there: rows by key, clocks without local versions, the search index. */
async function state(db: SqliteConnection) {
  const rows = async (sql: string, params: SqlValue[] = []) => (await db.exec(sql, params)).rows;
  return {
    notes: await rows("SELECT * FROM notes ORDER BY id"),
    changes: await rows(`SELECT "table", pk, cid, val, col_version, site_id, cl, seq FROM crsql_changes ORDER BY "table", pk, cid`),
    search: await rows("SELECT notes.id FROM notes_fts JOIN notes ON notes.rowid = notes_fts.rowid WHERE notes_fts MATCH 'giraffe1' ORDER BY notes.id"),
    ancestors: await rows("SELECT * FROM text_ancestors ORDER BY tbl, pk, cid"),
  };
}

/** A maker that wrote notes of its own (pushed, seqs 1–30 on the server) and received another device's (seqs 31–50). */
async function scenario() {
  const maker = await openMemoryReplica();
  const other = await openMemoryReplica();
  await writeNotes(maker, "mine", 5);
  await writeNotes(other, "theirs", 4);
  const mine = await ownChanges(maker);
  const log = [...mine, ...(await ownChanges(other))];
  // The server acknowledged the maker's push: its text values became their cells' ancestors (SyncDb.acknowledgeSent).
  const sentText = mine.filter(([table, , cid]) => isMergedText(table, cid));
  await setAncestors(maker, sentText.map(([table, pk, cid, val]) => ({ table, pk, cid, val: String(val) })));
  await applyChanges(maker, SERVER, await ownChanges(other));
  await maker.exec("INSERT INTO crsql_tracked_peers (site_id, tag, event, version, seq) VALUES (?, 0, 0, ?, 0)", [SERVER, log.length]);
  await maker.exec("INSERT INTO local_settings (key, value) VALUES ('sync.token', ?)", [SECRET]);
  await maker.exec("INSERT INTO sync_activity (at, kind, detail) VALUES (1, 'sent', ?)", [SECRET]);
  // Enough of them to fill whole pages, which deleting frees (they must not keep their bytes either).
  await maker.exec(
    "WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < 400) INSERT INTO sync_activity (at, kind, detail) SELECT i, 'sent', ? || hex(randomblob(64)) FROM n",
    [SECRET],
  );
  const replayer = await openMemoryReplica();
  await applyChanges(replayer, SERVER, log);
  return { maker, other, replayer, log };
}

/** `db`'s copy, made as the sync client makes it (here the test holds the connection alone). */
const copyOf = async (db: SqliteConnection) => (await makeCopy((fn) => fn(db), SERVER))!;

const contains = (haystack: Uint8Array, needle: string) => Buffer.from(haystack).includes(Buffer.from(needle));

describe("a new device started from another device's copy", () => {
  it("ends where replaying the whole log ends, with nothing private of the maker, a site id of its own and nothing to send", async () => {
    const { maker, replayer, log } = await scenario();
    const copy = await copyOf(maker);
    expect(copy.seq).toBe(log.length);
    expect(contains(copy.bytes, SECRET)).toBe(false);

    const mineRows: [string, string][] = [["sync.token", "new-device-token"]];
    const adopted = await adoptCopy(await nodeSqliteApi(), copy.bytes, log.length + 7, mineRows);
    const device = await openBytes(adopted);

    expect(await state(device)).toEqual(await state(replayer));
    expect((await state(device)).search.length).toBe(3); // the index answers on the copy
    // Its own rows, and the copy's version: every change at or below it is the server's, none of them to push (syncDb.ts).
    const copyVersion = String((await device.exec("SELECT crsql_db_version()")).rows[0]![0]);
    expect(Number(copyVersion)).toBeGreaterThan(0);
    expect(await privateRowsOf(device)).toEqual(expect.arrayContaining([...mineRows, [COPY_VERSION_SETTING, copyVersion]]));
    expect(await privateRowsOf(device)).toHaveLength(2);
    expect((await device.exec("SELECT count(*) FROM sync_activity")).rows[0]![0]).toBe(0);
    expect(await siteIdOf(device)).not.toEqual(await siteIdOf(maker));
    expect((await device.exec("SELECT count(*) FROM crsql_changes WHERE site_id IS NOT ?", [SERVER])).rows[0]![0]).toBe(0);
    expect((await device.exec("SELECT site_id, version FROM crsql_tracked_peers")).rows).toEqual([[SERVER, log.length + 7]]);
    const fts = await device.exec("INSERT INTO notes_fts (notes_fts, rank) VALUES ('integrity-check', 1)");
    expect(fts.rows).toEqual([]);
  });

  it("syncs on as any device: its edit reaches the others, theirs reach it", async () => {
    const { maker, replayer } = await scenario();
    const device = await openBytes(await adoptCopy(await nodeSqliteApi(), (await copyOf(maker)).bytes, 50, []));
    await device.exec("UPDATE notes SET title = 'edited on the new device' WHERE id = 'theirs-1'");
    const sent = await ownChanges(device);
    expect(sent.map((c) => c[2])).toEqual(["title"]);
    await applyChanges(replayer, SERVER, sent);
    await replayer.exec("UPDATE notes SET body = 'edited elsewhere' WHERE id = 'mine-2'");
    await applyChanges(device, SERVER, await ownChanges(replayer, 1));
    const note = (db: SqliteConnection, id: string) => db.exec("SELECT title, body FROM notes WHERE id = ?", [id]).then((r) => r.rows);
    expect(await note(replayer, "theirs-1")).toEqual([["edited on the new device", "body theirs 1 giraffe1"]]);
    expect(await note(device, "mine-2")).toEqual([["mine title 2", "edited elsewhere"]]);
    expect(await note(device, "theirs-1")).toEqual(await note(replayer, "theirs-1"));
  });

  it("is not made while changes are held aside or received changes were refused, nor once the device is no longer synced", async () => {
    const { maker } = await scenario();
    expect(await makeCopy((fn) => fn(maker), SERVER, () => false)).toBeUndefined();
    await maker.exec("INSERT INTO sync_held (tbl, pk, cid, db_version, bytes, held_at) VALUES ('notes', x'01', 'body', 1, 9, 1)");
    await expect(copyOf(maker)).rejects.toThrow(NoCopyError);
    await maker.exec("DELETE FROM sync_held");
    await maker.exec("INSERT INTO sync_refused (tbl, pk, cid, col_version, cl, val, reason, refused_at) VALUES ('notes', x'01', 'body', 1, 1, x'00', 'bad', 1)");
    await expect(copyOf(maker)).rejects.toThrow(/refused/);
  });

  it("taken as the file lies on disk, is rebuilt: it ends where replaying ends, with nothing the maker had deleted", async () => {
    const api = await nodeSqliteApi();
    const { maker, replayer, log } = await scenario();
    // The maker's database as a file (the app reads its OPFS file the same way, through the VFS).
    const vfs = registerMemoryVfs(api);
    await maker.exec("VACUUM INTO ?", [`file:maker.db?vfs=${vfs.name}`]);
    vfs.mapNameToFile.set("maker.db", vfs.mapNameToFile.get(`maker.db?vfs=${vfs.name}`)!); // filed with the URI's query
    const onDisk = await SqliteConnection.open(api, "maker.db", vfs.name);
    // A row deleted on the maker (as a note's old text would be): SQLite leaves its bytes in the page.
    await onDisk.script("CREATE TABLE scratch (id INTEGER PRIMARY KEY, text TEXT)");
    await onDisk.exec("INSERT INTO scratch (id, text) VALUES (1, 'kept'), (2, ?)", [DELETED]);
    await onDisk.exec("DELETE FROM scratch WHERE id = 2");
    const readFile = () => readDatabaseFile(vfs as unknown as FileVfs, "maker.db");
    expect(contains(readFile(), DELETED)).toBe(true); // deleted, its bytes are still in the file

    const copy = (await makeCopy((fn) => fn(onDisk), SERVER, undefined, { readFile }))!;
    expect(contains(copy.bytes, DELETED)).toBe(false);
    expect(contains(copy.bytes, SECRET)).toBe(false);
    expect(copy.seq).toBe(log.length);
    const device = await openBytes(await adoptCopy(api, copy.bytes, log.length, []));
    expect(await state(device)).toEqual(await state(replayer));
  });

  it("gives the new device a site id of its own even from a copy that kept its maker's", async () => {
    const api = await nodeSqliteApi();
    const { maker } = await scenario();
    await maker.exec("DELETE FROM local_settings");
    await maker.exec("DELETE FROM sync_activity");
    const vfs = registerMemoryVfs(api);
    await maker.exec("VACUUM INTO ?", [`file:kept.db?vfs=${vfs.name}`]);
    const file = vfs.mapNameToFile.get(`kept.db?vfs=${vfs.name}`)!; // wa-sqlite files it with the URI's query
    const device = await openBytes(await adoptCopy(api, new Uint8Array(file.data.slice(0, file.size)), 0, []));
    expect(await siteIdOf(device)).not.toEqual(await siteIdOf(maker));
    expect((await siteIdOf(device)).length).toBe(16);
  });

  it("refuses a file that is no sound copy, saying why", async () => {
    const api = await nodeSqliteApi();
    const { maker } = await scenario();
    const good = (await copyOf(maker)).bytes;
    await expect(adoptCopy(api, new TextEncoder().encode("hello"), 0, [])).rejects.toThrow(/not a database/);
    const cut = good.slice(0, Math.floor(good.length / 2));
    await expect(adoptCopy(api, cut, 0, [])).rejects.toThrow(BadCopyError);
    const scrambled = good.slice();
    for (let i = 4096; i < scrambled.length; i += 97) scrambled[i]! ^= 0x5a;
    await expect(adoptCopy(api, scrambled, 0, [])).rejects.toThrow(BadCopyError);
    // A maker's unscrubbed database (its secrets, its site id) is refused too.
    const raw = await openMemoryReplica();
    await raw.exec("INSERT INTO local_settings (key, value) VALUES ('sync.token', ?)", [SECRET]);
    const vfs = registerMemoryVfs(api);
    await raw.exec("VACUUM INTO ?", [`file:raw.db?vfs=${vfs.name}`]);
    const file = vfs.mapNameToFile.get(`raw.db?vfs=${vfs.name}`)!; // wa-sqlite files it with the URI's query
    await expect(adoptCopy(api, new Uint8Array(file.data.slice(0, file.size)), 0, [])).rejects.toThrow(/local_settings/);
  });
});
