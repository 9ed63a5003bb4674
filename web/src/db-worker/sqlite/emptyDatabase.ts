/**
 * A new device's database, made once when the app is built instead of on every new device.
 *
 * Opening an empty OPFS origin spent most of its wait on CPU, not disk: cr-sqlite creating its
 * tables, then the migrations making ten CRRs (`crsql_as_crr` writes each table's clock table and
 * triggers), all in WebAssembly the browser had only just compiled. The build runs the same
 * migrations on the same cr-sqlite build and ships the resulting file (VACUUMed, gzipped: ~9 KB);
 * a new device writes it into its storage before SQLite opens it (`placeEmptyDatabase.ts`).
 *
 * The one thing that must differ per device is cr-sqlite's site id, so the file is shipped without
 * its `crsql_site_id` table: cr-sqlite makes that table, with a new random id, whenever it opens a
 * database that lacks it (tested in emptyDatabase.test.ts, with a sync between two copies).
 */
import { MemoryVFS } from "@vlcn.io/wa-sqlite/src/examples/MemoryVFS.js";
import { ensureClockIndexes } from "../clockIndexes";
import { migrate } from "../migrate";
import { SqliteConnection, type SqliteApi } from "./connection";

/** cr-sqlite's table holding this device's site id (and the ordinals of the peers it has merged from). */
const SITE_ID_TABLE = "crsql_site_id";

/** wa-sqlite's MemoryVFS as this file and its tests use it: files kept in a map by name. */
export interface MemoryVfs {
  name: string;
  mapNameToFile: Map<string, { size: number; data: ArrayBuffer }>;
}

let registered = 0;

/** A new MemoryVFS registered with `api` under a name of its own (a second one must not meet the first one's files). */
export function registerMemoryVfs(api: SqliteApi): MemoryVfs {
  const vfs = new MemoryVFS();
  vfs.name = `memory-${++registered}`;
  api.vfs_register(vfs as unknown as Parameters<SqliteApi["vfs_register"]>[0], false);
  return vfs;
}

/** The migrated, empty database file, without a site id, as `api`'s cr-sqlite writes it. */
export async function buildEmptyDatabase(api: SqliteApi): Promise<Uint8Array> {
  const vfs = registerMemoryVfs(api);
  const file = "empty.db";
  const db = await SqliteConnection.open(api, file, vfs.name);
  try {
    await db.script("PRAGMA temp_store = MEMORY");
    await migrate(db);
    await ensureClockIndexes(db);
    await db.script(`DROP TABLE ${SITE_ID_TABLE}; VACUUM`);
  } finally {
    await db.close();
  }
  const written = vfs.mapNameToFile.get(file);
  if (!written) throw new Error("the empty database was not written");
  return new Uint8Array(written.data.slice(0, written.size));
}

/** The file as the build ships it: gzip, then base64 (a string in the worker's code; unpacked by `unpackEmptyDatabase`). */
export async function packEmptyDatabase(bytes: Uint8Array): Promise<string> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream("gzip"));
  return Buffer.from(await new Response(stream).arrayBuffer()).toString("base64");
}
