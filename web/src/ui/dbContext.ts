/**
 * The database as the components see it: this tab's client (live queries, sync, the server API)
 * and Drizzle over it (writes). main.tsx provides both once, above the App. Drizzle's code loads
 * after the first paint (db/drizzleLoader.ts): screens loaded later may use `db` directly (they
 * wait for it), first-screen code awaits `drizzle()`.
 */
import { createContext, useContext } from "solid-js";
import type { DbClient } from "../db/client";
import type { AppDatabase } from "../db/drizzle";
import { drizzleIfLoaded, loadDrizzle } from "../db/drizzleLoader";

export interface AppDb {
  client: DbClient;
  /** Drizzle; throws if its code has not loaded yet (first-screen code: use `drizzle()`). */
  readonly db: AppDatabase;
  /** Drizzle, once its code has loaded. */
  drizzle(): Promise<AppDatabase>;
}

/** The AppDb of `client`, with one Drizzle instance made when its code is there. */
export function appDb(client: DbClient): AppDb {
  let instance: AppDatabase | undefined;
  const make = (module: NonNullable<ReturnType<typeof drizzleIfLoaded>>) => (instance ??= module.createDrizzle(client));
  return {
    client,
    get db() {
      const module = drizzleIfLoaded();
      if (!module) throw new Error("Drizzle's code has not loaded yet: first-screen code awaits useDb().drizzle()");
      return make(module);
    },
    drizzle: async () => make(await loadDrizzle()),
  };
}

const DbContext = createContext<AppDb>();

export const DbProvider = DbContext.Provider;

/** The client and Drizzle provided above; throws if there is no provider. */
export function useDb(): AppDb {
  const value = useContext(DbContext);
  if (!value) throw new Error("useDb() was called outside <DbProvider>: wrap the component tree in it (see web/src/main.tsx).");
  return value;
}
