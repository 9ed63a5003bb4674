import { describe, expect, it } from "vitest";
import { MIGRATIONS, type Migration } from "../../../shared/migrations";
import { applyChanges, pullChanges, siteIdOf } from "./changes";
import { migrate, MigrationError, schemaVersionOf } from "./migrate";
import { openMemoryReplica } from "../../../testing/nodeReplica";

const addColor = (extra: string): Migration => ({
  version: MIGRATIONS.length + 1,
  description: "notes get a colour",
  alters: ["notes"],
  sql: `ALTER TABLE notes ADD COLUMN color TEXT NOT NULL DEFAULT ''; ${extra}`,
});

async function replicate(from: Awaited<ReturnType<typeof openMemoryReplica>>, to: typeof from) {
  await applyChanges(to, await siteIdOf(from), await pullChanges(from, 0n));
}

describe("migrations", () => {
  it("are idempotent: a second run applies nothing", async () => {
    const db = await openMemoryReplica();
    expect(await migrate(db)).toEqual([]);
  });

  it("refuse to open a database from a newer app", async () => {
    const db = await openMemoryReplica();
    await db.script("PRAGMA user_version = 999");
    await expect(migrate(db)).rejects.toThrow(/newer than this app/);
  });

  it("a new database gets every migration or none: a failing last one leaves it at version 0", async () => {
    const fresh = await openMemoryReplica({ migrated: false });
    const failing = addColor("INSERT INTO no_such_table VALUES (1);");
    const error = await migrate(fresh, [...MIGRATIONS, failing]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).version).toBe(failing.version);
    expect(await schemaVersionOf(fresh)).toBe(0);
    expect((await fresh.exec("SELECT count(*) FROM sqlite_master WHERE name = 'notes'")).rows).toEqual([[0]]);
    // The next open (here: the same migrations, fixed) starts from scratch and completes.
    expect(await migrate(fresh, [...MIGRATIONS, addColor("")])).toEqual([...MIGRATIONS, addColor("")].map((m) => m.version));
    await fresh.exec("INSERT INTO notes (id, title, color) VALUES ('n1', 'migrated', 'blue')");
    expect((await fresh.exec("SELECT title, color FROM notes")).rows).toEqual([["migrated", "blue"]]);
  });

  it("a migration failing halfway through an alter rolls back and leaves replication working", async () => {
    const a = await openMemoryReplica();
    const b = await openMemoryReplica();
    const failing = addColor("INSERT INTO no_such_table VALUES (1);");
    await expect(migrate(a, [...MIGRATIONS, failing])).rejects.toBeInstanceOf(MigrationError);
    expect(await schemaVersionOf(a)).toBe(MIGRATIONS.length);
    expect((await a.exec("SELECT count(*) FROM pragma_table_info('notes') WHERE name = 'color'")).rows).toEqual([[0]]);

    // Writes after the failure still produce changes, and they reach another replica.
    await a.exec("INSERT INTO notes (id, title) VALUES ('n1', 'after failure')");
    await a.exec("UPDATE notes SET body = 'edited' WHERE id = 'n1'");
    await replicate(a, b);
    expect((await b.exec("SELECT title, body FROM notes")).rows).toEqual([["after failure", "edited"]]);

    // The same migration, fixed, then applies, and the new column replicates too.
    await migrate(a, [...MIGRATIONS, addColor("")]);
    await migrate(b, [...MIGRATIONS, addColor("")]);
    await a.exec("UPDATE notes SET color = 'red' WHERE id = 'n1'");
    await replicate(a, b);
    expect((await b.exec("SELECT title, color FROM notes")).rows).toEqual([["after failure", "red"]]);
  });
});
