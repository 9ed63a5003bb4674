/** The note list's kept counts on real cr-sqlite: always what counting the notes would give, after local writes and merges alike. */
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../../testing/random";
import { openMemoryReplica } from "../../../testing/nodeReplica";
import { inProcessWorker } from "../../../testing/inProcessWorker";
import { applyChanges, pullChanges, siteIdOf } from "../db-worker/changes";
import type { SqliteConnection } from "../db-worker/sqlite/connection";
import { DbClient } from "../db/client";
import { createDrizzle } from "../db/drizzle";
import { watchRead } from "../db/live";
import { startListCounts } from "./listCounts";
import { countNotes } from "./noteListQuery";
import type { NoteFilter } from "./notesRepo";

const FILTERS: NoteFilter[] = [
  {},
  { section: "archived" },
  { section: "trash" },
  { section: "notTrashed" },
  { pinnedOnly: true },
  { section: "archived", pinnedOnly: true },
  { section: "trash", pinnedOnly: true },
];

const SECTION_WHERE: Record<NonNullable<NoteFilter["section"]>, string> = {
  active: "trashed_at IS NULL AND archived = 0",
  archived: "trashed_at IS NULL AND archived = 1",
  trash: "trashed_at IS NOT NULL",
  notTrashed: "trashed_at IS NULL",
};

/** What counting the notes themselves gives. */
async function counted(db: SqliteConnection, filter: NoteFilter): Promise<number> {
  const where = SECTION_WHERE[filter.section ?? "active"] + (filter.pinnedOnly ? " AND pinned = 1" : "");
  return Number((await db.exec(`SELECT count(*) FROM notes WHERE ${where}`)).rows[0]![0]);
}

async function device() {
  const connection = await openMemoryReplica();
  return { connection, db: createDrizzle(new DbClient(inProcessWorker(connection))) };
}

async function expectCountsMatch(d: Awaited<ReturnType<typeof device>>, context: string) {
  for (const filter of FILTERS) {
    expect(await countNotes(d.db, filter), `${context}: ${JSON.stringify(filter)}`).toBe(await counted(d.connection, filter));
  }
}

const sync = async (from: SqliteConnection, to: SqliteConnection) => applyChanges(to, await siteIdOf(from), await pullChanges(from, 0n));

/** One random write to a note: new, archived or back, trashed or restored, pinned or not, renamed, deleted. */
async function randomWrite(db: SqliteConnection, random: () => number, ids: string[]) {
  const id = ids[Math.floor(random() * ids.length)]!;
  const pick = Math.floor(random() * 7);
  const sql = [
    "INSERT INTO notes (id, title) VALUES (?, 'new') ON CONFLICT (id) DO NOTHING",
    "UPDATE notes SET archived = 1 - archived WHERE id = ?",
    "UPDATE notes SET trashed_at = CASE WHEN trashed_at IS NULL THEN 5 ELSE NULL END WHERE id = ?",
    "UPDATE notes SET pinned = 1 - pinned WHERE id = ?",
    "UPDATE notes SET title = title || '!' WHERE id = ?",
    "UPDATE notes SET archived = 1, pinned = 1, trashed_at = 7 WHERE id = ?",
    "DELETE FROM notes WHERE id = ?",
  ][pick]!;
  await db.exec(sql, [id]);
}

describe("the note list's kept counts", () => {
  it("equal counting the notes, for every section, after random local writes and merges both ways", async () => {
    const random = seededRandom(16);
    const a = await device();
    const b = await device();
    const ids = Array.from({ length: 12 }, (_, i) => `n${i}`);
    for (let round = 0; round < 25; round++) {
      for (let i = 0; i < 6; i++) await randomWrite(a.connection, random, ids);
      for (let i = 0; i < 6; i++) await randomWrite(b.connection, random, ids);
      await expectCountsMatch(a, `A, round ${round}, before syncing`);
      await sync(a.connection, b.connection);
      await sync(b.connection, a.connection);
      await expectCountsMatch(a, `A, round ${round}`);
      await expectCountsMatch(b, `B, round ${round}`);
    }
  });

  it("follow a new device's first sync (the bulk merge), and start from the notes at the next open", async () => {
    const a = await device();
    await a.connection.exec(
      "WITH RECURSIVE i(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM i WHERE k < 799) INSERT INTO notes (id, title, archived, pinned, trashed_at) SELECT 'n' || k, 't', k % 3 = 0, k % 5 = 0, CASE WHEN k % 7 = 0 THEN 1 END FROM i",
    );
    const c = await device();
    await sync(a.connection, c.connection); // 800 notes: over BULK_MERGE_MIN_CHANGES
    await expectCountsMatch(c, "after the first sync");
    expect(await countNotes(c.db, { section: "archived" })).toBeGreaterThan(0);
    // Whatever the counts held, the next open counts the notes again (here: a trigger gone, a note it missed, the counts emptied).
    await c.connection.script("DROP TRIGGER note_list_counts_insert; INSERT INTO notes (id) VALUES ('unseen'); DELETE FROM note_list_counts");
    await startListCounts(c.connection);
    await expectCountsMatch(c, "after the next open");
  });

  it("re-run a live count only when a count changed, not for every edit of a note", async () => {
    const connection = await openMemoryReplica();
    const client = new DbClient(inProcessWorker(connection));
    const db = createDrizzle(client);
    const counts: number[] = [];
    const { dispose } = watchRead(client, "noteCount", () => ({}), ({ data }) => counts.push(data!));
    const settle = () => new Promise((r) => setTimeout(r, 20));
    await settle();
    await client.query({ sql: "INSERT INTO notes (id, title) VALUES ('n1', 'a')", params: [], method: "run" });
    await settle();
    expect(counts).toEqual([0, 1]);
    // A save while typing: the count cannot change, and it is not read again.
    for (const title of ["ab", "abc", "abcd"]) await client.query({ sql: "UPDATE notes SET title = ? WHERE id = 'n1'", params: [title], method: "run" });
    await settle();
    expect(counts).toEqual([0, 1]);
    await client.query({ sql: "UPDATE notes SET archived = 1 WHERE id = 'n1'", params: [], method: "run" });
    await settle();
    expect(counts).toEqual([0, 1, 0]);
    expect(await countNotes(db, { section: "archived" })).toBe(1);
    dispose();
  });
});
