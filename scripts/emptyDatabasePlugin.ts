/**
 * `virtual:empty-database`: the migrated, empty database a new device starts from, made at build
 * time on the app's own cr-sqlite build (`web/src/db-worker/sqlite/emptyDatabase.ts`), as a
 * gzip+base64 string. Both the page and worker builds need the plugin (the database worker
 * imports the module).
 */
import type { Plugin } from "vite";

const ID = "virtual:empty-database";
const RESOLVED = `\0${ID}`;

/** Made once per process: the page's build and each worker build ask for it. */
let packed: Promise<string> | undefined;

export function emptyDatabasePlugin(): Plugin {
  return {
    name: "cobrain-empty-database",
    resolveId: (id) => (id === ID ? RESOLVED : undefined),
    async load(id) {
      if (id !== RESOLVED) return undefined;
      packed ??= makePacked();
      return `export default ${JSON.stringify(await packed)};`;
    },
  };
}

/**
 * Loaded through tsx only when a build asks for the module: the app's code is then not part of
 * the bundled Vite config (whose loader wants file extensions the app's imports do not spell).
 */
async function makePacked(): Promise<string> {
  const { tsImport } = await import("tsx/esm/api");
  const load = <T>(path: string): Promise<T> => tsImport(path, import.meta.url);
  const [{ buildEmptyDatabase, packEmptyDatabase }, { nodeSqliteApi }] = await Promise.all([
    load<typeof import("../web/src/db-worker/sqlite/emptyDatabase")>("../web/src/db-worker/sqlite/emptyDatabase.ts"),
    load<typeof import("./lib/nodeSqlite")>("./lib/nodeSqlite.ts"),
  ]);
  return packEmptyDatabase(await buildEmptyDatabase(await nodeSqliteApi()));
}
