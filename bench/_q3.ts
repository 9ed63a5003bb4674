import { openMemoryReplica } from "../testing/nodeReplica.ts";
import { newId } from "../shared/ids.ts";
const N = 10_000;
const FTS = ["notes_fts_insert", "notes_fts_update", "notes_fts_delete"];
for (let round = 0; round < 2; round++) for (const mode of ["triggers", "deferred"] as const) {
  const db = await openMemoryReplica();
  if (mode === "deferred") for (const t of FTS) await db.exec(`DROP TRIGGER ${t}`);
  const ids: string[] = [];
  const t0 = performance.now();
  await db.transaction(async () => {
    for (let i = 0; i < N; i += 500) {
      const c = Array.from({ length: 500 }, (_, j) => i + j);
      const cid = c.map(() => newId()); ids.push(...cid);
      await db.exec(`INSERT INTO notes (id, title, body, created_at, updated_at) VALUES ${c.map(() => "(?, ?, ?, ?, ?)").join(", ")}`, c.flatMap((k, j) => [cid[j], `title ${k}`, `Body of note ${k}. `.repeat(4), k, k]));
    }
    if (mode === "deferred") await db.exec("INSERT INTO notes_fts (rowid, title, body) SELECT rowid, title, body FROM notes");
  });
  const imp = performance.now() - t0;
  // single updates, each its own transaction
  const samples: number[] = [];
  for (let i = 0; i < 300; i++) {
    const id = ids[(i * 37) % N]!;
    const s = performance.now();
    await db.transaction(async () => {
      if (mode === "deferred") await db.exec("INSERT INTO notes_fts (notes_fts, rowid, title, body) SELECT 'delete', rowid, title, body FROM notes WHERE id = ?", [id]);
      await db.exec("UPDATE notes SET body = ?, updated_at = ? WHERE id = ?", [`edited ${i} body text here`, i, id]);
      if (mode === "deferred") await db.exec("INSERT INTO notes_fts (rowid, title, body) SELECT rowid, title, body FROM notes WHERE id = ?", [id]);
    });
    samples.push(performance.now() - s);
  }
  samples.sort((a, b) => a - b);
  await db.exec("INSERT INTO notes_fts (notes_fts, rank) VALUES ('integrity-check', 1)");
  console.log(mode, "import", imp.toFixed(0), "ms; update p50", samples[150]!.toFixed(3), "ms");
  await db.close();
}
process.exit(0);
