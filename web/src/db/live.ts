/**
 * Live queries: a query re-runs only when a write (local, another tab's, or a sync apply)
 * touched a table it read. The tables come from SQLite itself (`tables_used`) for each run, so
 * joins and subqueries are covered without declaring anything.
 */
import { createSignal, onCleanup, type Accessor } from "solid-js";
import type { DbClient } from "./client";
import { createDrizzle, type AppDatabase } from "./drizzle";

export interface LiveQuery<T> {
  data: Accessor<T | undefined>;
  error: Accessor<Error | undefined>;
  /** Number of completed runs (useful to tell "loading" from "empty"). */
  runs: Accessor<number>;
}

/** Framework-free core: calls `onResult` after every run; returns a disposer. */
export function watchQuery<T>(
  client: DbClient,
  query: (db: AppDatabase) => Promise<T>,
  onResult: (result: { data?: T; error?: Error }) => void,
): () => void {
  let reads = new Set<string>();
  const db = createDrizzle(client, (tables) => tables.forEach((t) => reads.add(t)));
  let running = false;
  let dirty = false;
  let disposed = false;

  const run = async () => {
    if (running) {
      dirty = true; // runs never overlap, so each run's table set is exactly its own
      return;
    }
    running = true;
    do {
      dirty = false;
      reads = new Set();
      try {
        const data = await query(db);
        if (!disposed) onResult({ data });
      } catch (error) {
        if (!disposed) onResult({ error: error instanceof Error ? error : new Error(String(error)) });
      }
    } while (dirty && !disposed);
    running = false;
  };

  const unsubscribe = client.onChange((changed) => {
    if (running || [...reads].some((t) => changed.has(t))) void run();
  });
  void run();
  return () => {
    disposed = true;
    unsubscribe();
  };
}

/** Solid binding of `watchQuery`, disposed with the owning component. */
export function createLiveQuery<T>(client: DbClient, query: (db: AppDatabase) => Promise<T>): LiveQuery<T> {
  const [data, setData] = createSignal<T>();
  const [error, setError] = createSignal<Error>();
  const [runs, setRuns] = createSignal(0);
  const dispose = watchQuery(client, query, (result) => {
    if (result.error) setError(result.error);
    else {
      setError(undefined);
      setData(() => result.data);
    }
    setRuns((n) => n + 1);
  });
  onCleanup(dispose);
  return { data, error, runs };
}
