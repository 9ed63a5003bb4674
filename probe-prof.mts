import { openMemoryReplica } from "./testing/nodeReplica";
import { pullChanges, siteIdOf, applyChanges } from "./web/src/db-worker/changes";
import { withSearchIndexOnce } from "./web/src/db-worker/searchIndexOnce";
import { insertNotes } from "./bench/nodeNotes";
const NOTES = 10000;
const source = await openMemoryReplica();
await source.transaction(() => withSearchIndexOnce(source, () => insertNotes(source, 0, NOTES, (k) => `n${k}`)));
const changes = await pullChanges(source, 0n);
const site = await siteIdOf(source);
for (let r = 0; r < 3; r++) {
  const a = await openMemoryReplica();
  const t = performance.now();
  for (let i = 0; i < changes.length; i += 1400) await applyChanges(a, site, changes.slice(i, i + 1400));
  console.log("app merge", (performance.now() - t).toFixed(0));
}
process.exit(0);
