/**
 * What every open does once the storage is open, in the app's database worker and in the Node and
 * workerd replicas the tests use alike: the schema, the clock indexes uploads page by, and the
 * note list's kept counts.
 */
import { startListCounts } from "../notes/listCounts";
import { ensureClockIndexes } from "./clockIndexes";
import { migrate } from "./migrate";
import type { SqliteConnection } from "./sqlite/connection";

export async function prepareDatabase(db: SqliteConnection): Promise<void> {
  await migrate(db);
  await ensureClockIndexes(db);
  await startListCounts(db);
}
