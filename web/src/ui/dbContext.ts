/**
 * The database as the components see it: this tab's client (live queries, sync, the server API)
 * and the Drizzle instance over it (writes). main.tsx provides both once, above the App.
 */
import { createContext, useContext } from "solid-js";
import type { DbClient } from "../db/client";
import type { AppDatabase } from "../db/drizzle";

export interface AppDb {
  client: DbClient;
  db: AppDatabase;
}

const DbContext = createContext<AppDb>();

export const DbProvider = DbContext.Provider;

/** The client and Drizzle instance provided above; throws if there is no provider. */
export function useDb(): AppDb {
  const value = useContext(DbContext);
  if (!value) throw new Error("useDb() was called outside <DbProvider>: wrap the component tree in it (see web/src/main.tsx).");
  return value;
}
