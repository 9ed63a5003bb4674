/**
 * Live queries: a query re-runs only when a write (local, another tab's, or a sync apply)
 * touched a table it read. The tables come from SQLite itself (`tables_used`) for each run, so
 * joins and subqueries are covered without declaring anything.
 */
import { createEffect, createSignal, on, onCleanup, type Accessor } from "solid-js";
import type { DbClient } from "./client";
import { createDrizzle, type AppDatabase } from "./drizzle";

export interface LiveQuery<T> {
  data: Accessor<T | undefined>;
  error: Accessor<Error | undefined>;
  /** Number of completed runs (useful to tell "loading" from "empty"). */
  runs: Accessor<number>;
}

/** Marks a query whose tables are unknown (it failed before reading any): any change re-runs it. */
const WATCH_EVERYTHING: Set<string> = new Set();

export interface Watch {
  /** Runs the query again now (its inputs changed). */
  rerun(): void;
  dispose(): void;
}

/** Framework-free core: calls `onResult` after every run. */
export function watchQuery<T>(
  client: DbClient,
  query: (db: AppDatabase) => Promise<T>,
  onResult: (result: { data?: T; error?: Error }) => void,
): Watch {
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
      const previous = reads;
      reads = new Set();
      try {
        const data = await query(db);
        if (!disposed) onResult({ data });
      } catch (error) {
        // Keep watching what the last good run read (or everything, if none did), so it can recover.
        reads = previous.size > 0 ? previous : WATCH_EVERYTHING;
        if (!disposed) onResult({ error: error instanceof Error ? error : new Error(String(error)) });
      }
    } while (dirty && !disposed);
    running = false;
  };

  const unsubscribe = client.onChange((changed) => {
    if (running || reads === WATCH_EVERYTHING || [...reads].some((t) => changed.has(t))) void run();
  });
  void run();
  return {
    rerun: () => void run(),
    dispose: () => {
      disposed = true;
      unsubscribe();
    },
  };
}

/**
 * Solid binding of `watchQuery`, disposed with the owning component. The query function is async,
 * so Solid cannot see which signals it reads: pass them as `inputs` to re-run when they change.
 */
export function createLiveQuery<T>(client: DbClient, query: (db: AppDatabase) => Promise<T>, inputs?: () => unknown): LiveQuery<T> {
  const [data, setData] = createSignal<T>();
  const [error, setError] = createSignal<Error>();
  const [runs, setRuns] = createSignal(0);
  const watch = watchQuery(client, query, (result) => {
    if (result.error) setError(result.error);
    else {
      setError(undefined);
      setData(() => result.data);
    }
    setRuns((n) => n + 1);
  });
  if (inputs) createEffect(on(inputs, () => watch.rerun(), { defer: true }));
  onCleanup(() => watch.dispose());
  return { data, error, runs };
}
