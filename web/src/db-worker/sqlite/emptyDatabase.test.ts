import { describe, expect, it } from "vitest";
import { nodeSqliteApi } from "../../../../scripts/lib/nodeSqlite";
import { applyChanges, pullChanges, siteIdOf } from "../changes";
import { ensureClockIndexes } from "../clockIndexes";
import { migrate } from "../migrate";
import { SqliteConnection } from "./connection";
import { buildEmptyDatabase, packEmptyDatabase, registerMemoryVfs } from "./emptyDatabase";
import { unpackEmptyDatabase } from "./placeEmptyDatabase";

const SITE_TABLE_AFTER_NOTES = "SELECT (SELECT rootpage FROM sqlite_master WHERE name = 'crsql_site_id') > (SELECT rootpage FROM sqlite_master WHERE name = 'notes')";

/** Opens `file` (the bytes, or a new empty file) as a database on a MemoryVFS of its own. */
async function openFile(file?: Uint8Array): Promise<SqliteConnection> {
  const api = await nodeSqliteApi();
  const vfs = registerMemoryVfs(api);
  if (file) vfs.mapNameToFile.set("notes.db", { size: file.length, data: file.slice().buffer });
  const db = await SqliteConnection.open(api, "notes.db", vfs.name);
  await db.script("PRAGMA temp_store = MEMORY");
  return db;
}

/** What a database is made of: its schema, schema version and cr-sqlite's own records of it. */
async function shapeOf(db: SqliteConnection) {
  const schema = await db.exec("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name");
  const master = await db.exec("SELECT key, value FROM crsql_master ORDER BY key");
  const version = await db.exec("PRAGMA user_version");
  return { schema: schema.rows, master: master.rows, version: version.rows };
}

describe("the empty database the build ships", () => {
  it("is the database the migrations make, and each copy gets a site id of its own", async () => {
    const shipped = await buildEmptyDatabase(await nodeSqliteApi());
    const migrated = await openFile();
    expect(await migrate(migrated)).not.toEqual([]);
    await ensureClockIndexes(migrated);
    const [a, b] = [await openFile(shipped), await openFile(shipped)];
    expect(await migrate(a)).toEqual([]); // nothing left to run
    expect(await shapeOf(a)).toEqual(await shapeOf(migrated));
    const sites = [await siteIdOf(a), await siteIdOf(b), await siteIdOf(migrated)].map((id) => Buffer.from(id).toString("hex"));
    expect(new Set(sites).size).toBe(3);
    expect((await a.exec("SELECT crsql_db_version()")).rows).toEqual([[0]]);
    // How a browser test tells a placed database from a created one: cr-sqlite makes its site-id
    // table as it opens a database lacking one, so after the shipped schema, not before the migrations.
    expect((await a.exec(SITE_TABLE_AFTER_NOTES)).rows).toEqual([[1]]);
    expect((await migrated.exec(SITE_TABLE_AFTER_NOTES)).rows).toEqual([[0]]);
  });

  it("copies sync with each other and with a migrated database, both ways", async () => {
    const shipped = await buildEmptyDatabase(await nodeSqliteApi());
    const [a, b, migrated] = [await openFile(shipped), await openFile(shipped), await openFile()];
    await migrate(migrated);
    await a.exec("INSERT INTO notes (id, title, body) VALUES ('n1', 'from a', 'text')");
    await migrated.exec("INSERT INTO notes (id, title, body) VALUES ('n2', 'from the migrated one', 'text')");
    for (const [from, to] of [[a, b], [a, migrated], [migrated, a], [migrated, b]] as const) {
      await applyChanges(to, await siteIdOf(from), await pullChanges(from, 0n));
    }
    await b.exec("UPDATE notes SET title = 'edited on b' WHERE id = 'n1'");
    await applyChanges(a, await siteIdOf(b), await pullChanges(b, 0n));
    for (const db of [a, b]) {
      expect((await db.exec("SELECT id, title FROM notes ORDER BY id")).rows).toEqual([
        ["n1", "edited on b"],
        ["n2", "from the migrated one"],
      ]);
    }
  });

  it("comes back byte for byte from what the build packs", async () => {
    const shipped = await buildEmptyDatabase(await nodeSqliteApi());
    const packed = await packEmptyDatabase(shipped);
    expect(packed.length).toBeLessThan(shipped.length / 10);
    expect(await unpackEmptyDatabase(packed)).toEqual(shipped);
  });
});
