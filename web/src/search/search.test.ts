/**
 * Full-text search with real cr-sqlite. FTS5 together with crsqlite-wasm has been reported to
 * corrupt databases after a few hundred inserts, so this also hammers the index with thousands of
 * local writes and sync merges and checks it against a plain scan.
 */
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../../testing/random";
import { applyChanges, pullChanges, siteIdOf } from "../db-worker/changes";
import type { SqliteConnection } from "../db-worker/sqlite/connection";
import { openMemoryReplica } from "../../../testing/nodeReplica";
import { DbClient } from "../db/client";
import { createDrizzle } from "../db/drizzle";
import { inProcessWorker } from "../../../testing/inProcessWorker";
import { searchNotes } from "./searchRepo";
import { splitHighlights, toFtsQuery } from "./searchQuery";

const WORDS = ["alpha", "beta", "gamma", "delta", "épée", "ümlaut", "travel", "tokyo", "notes", "brain"];


async function ftsMatches(db: SqliteConnection, word: string): Promise<string[]> {
  const { rows } = await db.exec("SELECT n.id FROM notes_fts JOIN notes n ON n.rowid = notes_fts.rowid WHERE notes_fts MATCH ? ORDER BY n.id", [`"${word}"`]);
  return rows.map((r) => r[0] as string);
}

async function scanMatches(db: SqliteConnection, word: string): Promise<string[]> {
  const { rows } = await db.exec("SELECT id, title, body FROM notes ORDER BY id");
  const folded = (s: string) => s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
  const target = folded(word);
  return rows.filter(([, t, b]) => folded(`${t} ${b}`).split(/[^\p{L}\p{N}]+/u).includes(target)).map((r) => r[0] as string);
}

describe("search query building", () => {
  it("makes every word a prefix term and never produces FTS syntax errors", () => {
    expect(toFtsQuery("tok tra")).toBe('"tok"* "tra"*');
    expect(toFtsQuery('say "hi" AND (x OR y*)')).toBe('"say"* "hi"* "AND"* "x"* "OR"* "y"*');
    expect(toFtsQuery("  ,;  ")).toBeUndefined();
  });

  it("splits highlights into text parts, never HTML", () => {
    expect(splitHighlights("a \u0002<b>\u0003 c")).toEqual([
      { text: "a ", marked: false },
      { text: "<b>", marked: true },
      { text: " c", marked: false },
    ]);
  });
});

describe("full-text search", () => {
  it("finds notes by word prefix with highlights, skips the trash, survives odd input", async () => {
    const connection = await openMemoryReplica();
    const db = createDrizzle(new DbClient(inProcessWorker(connection)));
    await connection.exec("INSERT INTO notes (id, title, body) VALUES ('a', 'Trip to Tokyo', 'pack the travel adapter'), ('b', 'Groceries', 'tofu, tomatoes'), ('c', 'Old Tokyo plan', 'x')");
    await connection.exec("UPDATE notes SET trashed_at = 1 WHERE id = 'c'");
    const hits = await searchNotes(db, "tok");
    expect(hits.map((h) => h.id)).toEqual(["a"]);
    expect(splitHighlights(hits[0]!.title).filter((p) => p.marked).map((p) => p.text)).toEqual(["Tokyo"]);
    expect((await searchNotes(db, "to")).map((h) => h.id).sort()).toEqual(["a", "b"]);
    for (const odd of ['"', "AND", "*", "NEAR(", "a:b", "'; DROP TABLE notes; --"]) await expect(searchNotes(db, odd)).resolves.toBeInstanceOf(Array);
  });

  it("stays exact and uncorrupted through thousands of local writes and sync merges", async () => {
    const a = await openMemoryReplica();
    const b = await openMemoryReplica();
    const next = seededRandom(7);
    const text = () => Array.from({ length: 1 + Math.floor(next() * 6) }, () => WORDS[Math.floor(next() * WORDS.length)]).join(" ");
    let synced = 0n;
    for (let i = 0; i < 3_000; i++) {
      const id = `n${Math.floor(next() * 400)}`;
      const roll = next();
      if (roll < 0.45) await a.exec("INSERT INTO notes (id, title, body) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body", [id, text(), text()]);
      else if (roll < 0.8) await a.exec("UPDATE notes SET title = ? WHERE id = ?", [text(), id]);
      else if (roll < 0.9) await a.exec("DELETE FROM notes WHERE id = ?", [id]);
      else await b.exec("INSERT INTO notes (id, title) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET title = excluded.title", [id, text()]);
      if (i % 97 === 0) {
        const changes = await pullChanges(a, synced);
        if (changes.length) {
          await applyChanges(b, await siteIdOf(a), changes);
          synced = changes.at(-1)![5];
        }
        await applyChanges(a, await siteIdOf(b), await pullChanges(b, 0n));
      }
    }
    await applyChanges(b, await siteIdOf(a), await pullChanges(a, 0n));
    await applyChanges(a, await siteIdOf(b), await pullChanges(b, 0n));
    for (const db of [a, b]) {
      await db.exec("INSERT INTO notes_fts (notes_fts) VALUES ('integrity-check')");
      expect((await db.exec("PRAGMA integrity_check")).rows).toEqual([["ok"]]);
      for (const word of WORDS) expect(await ftsMatches(db, word), word).toEqual(await scanMatches(db, word));
    }
    expect((await a.exec("SELECT * FROM notes ORDER BY id")).rows).toEqual((await b.exec("SELECT * FROM notes ORDER BY id")).rows);
  });
});
