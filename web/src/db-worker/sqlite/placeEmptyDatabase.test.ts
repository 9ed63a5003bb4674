import { beforeAll, describe, expect, it } from "vitest";
import { nodeSqliteApi } from "../../../../scripts/lib/nodeSqlite";
import { migrate } from "../migrate";
import { SqliteConnection } from "./connection";
import { buildEmptyDatabase, registerMemoryVfs, type MemoryVfs } from "./emptyDatabase";
import { placeEmptyDatabase, unplaceEmptyDatabase, type FileVfs } from "./placeEmptyDatabase";

const NAME = "notes.db";
let shipped: Uint8Array;

beforeAll(async () => {
  shipped = await buildEmptyDatabase(await nodeSqliteApi());
});

async function newVfs(): Promise<MemoryVfs & FileVfs> {
  return registerMemoryVfs(await nodeSqliteApi()) as MemoryVfs & FileVfs;
}

function bytesOf(vfs: MemoryVfs): Uint8Array | undefined {
  const file = vfs.mapNameToFile.get(NAME);
  return file && new Uint8Array(file.data.slice(0, file.size));
}

function setFile(vfs: MemoryVfs, bytes: Uint8Array): void {
  vfs.mapNameToFile.set(NAME, { size: bytes.length, data: bytes.slice().buffer });
}

async function open(vfs: MemoryVfs): Promise<SqliteConnection> {
  return SqliteConnection.open(await nodeSqliteApi(), NAME, vfs.name);
}

/** The shipped file as a placement cut short after `length` bytes leaves it: header string not yet written. */
function cutShort(length: number): Uint8Array {
  const bytes = shipped.slice(0, length);
  bytes.fill(0, 0, 16);
  return bytes;
}

describe("placing the shipped empty database", () => {
  it("writes it where there is no database, and SQLite opens it migrated", async () => {
    const vfs = await newVfs();
    expect(await placeEmptyDatabase(vfs, NAME, async () => shipped)).toBe(true);
    expect(bytesOf(vfs)).toEqual(shipped);
    const db = await open(vfs);
    expect(await migrate(db)).toEqual([]);
    await db.exec("INSERT INTO notes (id, title) VALUES ('n1', 'first')");
    expect((await db.exec("SELECT count(*) FROM crsql_changes")).rows[0]![0]).toBeGreaterThan(0);
  });

  it("writes it over an empty file (one SQLite would create a database in)", async () => {
    const vfs = await newVfs();
    setFile(vfs, new Uint8Array(0));
    expect(await placeEmptyDatabase(vfs, NAME, async () => shipped)).toBe(true);
    expect(bytesOf(vfs)).toEqual(shipped);
  });

  it("never touches a database someone used: the same bytes after, and its note still there", async () => {
    const vfs = await newVfs();
    const used = await open(vfs);
    await migrate(used);
    await used.exec("INSERT INTO notes (id, title) VALUES ('n1', 'mine')");
    await used.close();
    const before = bytesOf(vfs)!;
    expect(await placeEmptyDatabase(vfs, NAME, async () => shipped)).toBe(false);
    expect(bytesOf(vfs)).toEqual(before);
    expect((await (await open(vfs)).exec("SELECT title FROM notes")).rows).toEqual([["mine"]]);
  });

  it("never touches a damaged file that is not a placement cut short, even one whose header string is zero", async () => {
    for (const damaged of [new TextEncoder().encode("not a database!".repeat(300)), (() => {
      const bytes = cutShort(shipped.length);
      bytes[5000] = shipped[5000] === 7 ? 8 : 7; // neither the shipped byte nor an unwritten zero
      return bytes;
    })(), new Uint8Array(shipped.length + 4096)]) {
      const vfs = await newVfs();
      setFile(vfs, damaged);
      expect(await placeEmptyDatabase(vfs, NAME, async () => shipped)).toBe(false);
      expect(bytesOf(vfs)).toEqual(damaged);
    }
  });

  it("leaves a missing or empty database to SQLite when a rollback journal is beside it", async () => {
    for (const database of [undefined, new Uint8Array(0)]) {
      const vfs = await newVfs();
      if (database) setFile(vfs, database);
      vfs.mapNameToFile.set(`${NAME}-journal`, { size: 4, data: new Uint8Array([1, 2, 3, 4]).buffer });
      expect(await placeEmptyDatabase(vfs, NAME, async () => shipped)).toBe(false);
      expect(bytesOf(vfs)).toEqual(database);
    }
  });

  it("finishes a placement cut short with zeros where the storage had not written yet", async () => {
    const vfs = await newVfs();
    const gappy = cutShort(shipped.length);
    gappy.fill(0, 8192, 20000);
    setFile(vfs, gappy);
    expect(await placeEmptyDatabase(vfs, NAME, async () => shipped)).toBe(true);
    expect(bytesOf(vfs)).toEqual(shipped);
  });

  it("a copy of the account's database cut short (its header string still zero) is written over only under the copy's marker", async () => {
    // A copy is larger than the shipped file and holds other bytes: without the marker it reads as a damaged database someone used.
    const copyCutShort = new Uint8Array(shipped.length * 3).fill(0x5a);
    copyCutShort.fill(0, 0, 16);
    const vfs = await newVfs();
    setFile(vfs, copyCutShort);
    expect(await placeEmptyDatabase(vfs, NAME, async () => shipped)).toBe(false);
    expect(bytesOf(vfs)).toEqual(copyCutShort);
    expect(await placeEmptyDatabase(vfs, NAME, async () => shipped, true)).toBe(true);
    expect(bytesOf(vfs)).toEqual(shipped);
    expect(await migrate(await open(vfs))).toEqual([]);
    // A copy placed whole (its header string written) is a database: the marker changes nothing then.
    const whole = await newVfs();
    setFile(whole, shipped);
    expect(await placeEmptyDatabase(whole, NAME, async () => new Uint8Array(shipped.length), true)).toBe(false);
    expect(bytesOf(whole)).toEqual(shipped);
  });

  it("empties a placed file again (SQLite could not open it), so nothing reads as notes there", async () => {
    const vfs = await newVfs();
    await placeEmptyDatabase(vfs, NAME, async () => shipped);
    unplaceEmptyDatabase(vfs, NAME);
    expect(bytesOf(vfs)).toEqual(new Uint8Array(0));
    expect(await placeEmptyDatabase(vfs, NAME, async () => shipped)).toBe(true);
  });

  it("finishes a placement cut short anywhere before its last write, and SQLite opens the result", async () => {
    for (const length of [1, 16, 17, 4096, shipped.length - 1, shipped.length]) {
      const vfs = await newVfs();
      setFile(vfs, cutShort(length));
      expect(await placeEmptyDatabase(vfs, NAME, async () => shipped)).toBe(true);
      expect(bytesOf(vfs)).toEqual(shipped);
      expect(await migrate(await open(vfs))).toEqual([]);
    }
  });

  it("a storage refusing the write: throws, and leaves an empty file SQLite creates a database in as usual", async () => {
    for (const failingWrite of [1, 2]) {
      const vfs = await newVfs();
      const write = vfs.xWrite.bind(vfs);
      let writes = 0;
      vfs.xWrite = (fileId, data, offset) => (++writes === failingWrite ? 13 /* SQLITE_FULL */ : write(fileId, data, offset));
      await expect(placeEmptyDatabase(vfs, NAME, async () => shipped)).rejects.toThrow(/could not write the new database file \(SQLite code 13\)/);
      expect(bytesOf(vfs)).toEqual(new Uint8Array(0));
      vfs.xWrite = write;
      const db = await open(vfs);
      expect(await migrate(db)).not.toEqual([]);
      await db.exec("INSERT INTO notes (id, title) VALUES ('n1', 'kept')");
      expect((await db.exec("SELECT title FROM notes")).rows).toEqual([["kept"]]);
    }
  });
});
