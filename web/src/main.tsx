import { render } from "solid-js/web";
import { startDatabase, type DbClient } from "./db/client";
import type { AppDatabase } from "./db/drizzle";
import type { SqlParam, SqlValue, StorageKind } from "./db/protocol";
import { App } from "./ui/App";
import { setEntityIdKeySource } from "../../shared/entityIdKey";
import { fromHex } from "./crypto/bytes";
import { appDb, DbProvider } from "./ui/dbContext";
import { startEntries } from "./ui/navigation";
import "./ui/app.css";
import { startLanguage } from "./i18n/i18n";

const STORAGE_OVERRIDES: readonly StorageKind[] = ["idb", "memory"];
const requested = new URLSearchParams(location.search).get("storage") as StorageKind | null;
const client = startDatabase(requested && STORAGE_OVERRIDES.includes(requested) ? requested : undefined);

/**
 * The console API for power users (and the end-to-end tests): `await cobrain.sql("SELECT …")`
 * runs a statement on this device's database; `cobrain.db` is the Drizzle instance (once its code
 * has loaded, a moment after start).
 */
declare global {
  interface Window {
    cobrain: { client: DbClient; db: AppDatabase; sql(sql: string, params?: SqlParam[]): Promise<SqlValue[][]> };
  }
}
// Entity ids are keyed with the account's id key, which the database worker holds (shared/ids.ts).
setEntityIdKeySource(async () => fromHex(await client.entityIdKey()));
const app = appDb(client);
window.cobrain = {
  client,
  get db() {
    return app.db;
  },
  sql: async (sql, params = []) => (await client.query({ sql, params, method: "all" })).rows,
};

// A fresh visit (not a reload, not back/forward) to a deep link puts the notes list under it in
// history, so the back button returns to the list instead of leaving the app.
const visit = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined;
if (!visit || visit.type === "navigate") {
  const { hash, search } = location;
  const [first, ...rest] = startEntries(location.pathname);
  // The fragment (#token=…, #link=…: a sign-in link) stays on the entry shown, for LinkPrompt.
  if (first) history.replaceState(null, "", first.path + search + (rest.length === 0 ? hash : ""));
  for (const entry of rest) history.pushState(entry.state ?? null, "", entry.path + search + hash);
}

// The chosen language's words are there before the first paint (English at once; another is one small chunk).
void startLanguage().then(() => {
  render(
    () => (
      <DbProvider value={app}>
        <App />
      </DbProvider>
    ),
    document.getElementById("root")!,
  );
});
