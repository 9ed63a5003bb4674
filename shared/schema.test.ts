import { getTableConfig } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import { openMemoryReplica } from "../testing/nodeReplica";
import { CRR_TABLE_NAMES, crrTables } from "./schema";
import { SCHEMA_VERSION } from "./migrations";

describe("schema", async () => {
  const db = await openMemoryReplica();
  const pragma = async (sql: string) => (await db.exec(sql)).rows;

  it("migrations reach the announced schema version", async () => {
    expect(await pragma("PRAGMA user_version")).toEqual([[SCHEMA_VERSION]]);
    const master = await pragma("SELECT key, value FROM crsql_master WHERE key LIKE 'schema_%' ORDER BY key");
    expect(master).toEqual([
      ["schema_name", "cobrain"],
      ["schema_version", SCHEMA_VERSION],
    ]);
  });

  it("local_settings stays on the device: not a CRR, its writes produce no changes", async () => {
    expect(await pragma("SELECT count(*) FROM sqlite_master WHERE name LIKE 'local_settings__crsql%'")).toEqual([[0]]);
    const before = await pragma("SELECT count(*) FROM crsql_changes");
    await db.exec("INSERT INTO local_settings (key, value) VALUES ('token', 'secret')");
    expect(await pragma("SELECT count(*) FROM crsql_changes")).toEqual(before);
  });

  for (const name of CRR_TABLE_NAMES) {
    it(`${name}: SQL table matches the Drizzle definition and obeys cr-sqlite's rules`, async () => {
      const config = getTableConfig(crrTables[name]);
      const info = await pragma(`PRAGMA table_info(${name})`);
      const sqlColumns = info.map(([, col, type, notnull, dflt, pk]) => ({ col, type, notnull, hasDefault: dflt !== null, pk: Number(pk) > 0 }));
      const pkColumns = new Set([
        ...config.columns.filter((c) => c.primary).map((c) => c.name),
        ...config.primaryKeys.flatMap((pk) => pk.columns.map((c) => c.name)),
      ]);
      const drizzleColumns = config.columns.map((c) => ({
        col: c.name,
        type: c.getSQLType().toUpperCase(),
        notnull: c.notNull ? 1 : 0,
        hasDefault: c.hasDefault,
        pk: pkColumns.has(c.name),
      }));
      expect(sqlColumns).toEqual(drizzleColumns);
      // cr-sqlite: every NOT NULL column outside the primary key needs a default.
      for (const c of sqlColumns) if (c.notnull && !c.pk) expect(c.hasDefault, `${name}.${c.col} needs a default`).toBe(true);
      expect(await pragma(`PRAGMA foreign_key_list(${name})`)).toEqual([]);
      const unique = (await pragma(`PRAGMA index_list(${name})`)).filter(([, , isUnique, origin]) => isUnique && origin !== "pk");
      expect(unique).toEqual([]);
      expect(await pragma(`SELECT count(*) FROM sqlite_master WHERE name = '${name}__crsql_clock'`)).toEqual([[1]]);
    });
  }
});
