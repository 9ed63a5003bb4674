/**
 * Live queries: a query re-runs only when a write (local, another tab's, or a sync apply)
 * touched a table it read. The tables come from SQLite itself (`tables_used`) for each run, so
 * joins and subqueries are covered without declaring anything.
 */
import { createEffect, createSignal, on, onCleanup, type Accessor } from "solid-js";
import type { DbClient } from "./client";
import type { AppDatabase } from "./drizzle";
import { loadDrizzle } from "./drizzleLoader";
import type { ReadArgs, ReadName, ReadValue } from "../db-worker/reads";

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

/** Framework-free core: calls `onResult` after every run. Drizzle's code loads with the first run. */
export function watchQuery<T>(
  client: DbClient,
  query: (db: AppDatabase) => Promise<T>,
  onResult: (result: { data?: T; error?: Error }) => void,
): Watch {
  let db: AppDatabase | undefined;
  return watchRuns(
    client,
    async (read) => {
      db ??= (await loadDrizzle()).createDrizzle(client, read);
      return query(db);
    },
    onResult,
  );
}

/** The same for one of the worker's named reads (db-worker/reads.ts): no Drizzle on this thread. */
export function watchRead<N extends ReadName>(
  client: DbClient,
  name: N,
  args: () => ReadArgs<N>,
  onResult: (result: { data?: ReadValue<N>; error?: Error }) => void,
): Watch {
  return watchRuns<ReadValue<N>>(
    client,
    async (read) => {
      const result: { value: ReadValue<N>; tables: string[] } = await client.read(name, args());
      read(result.tables);
      return result.value;
    },
    onResult,
  );
}

/**
 * Runs `query` (which reports the tables it read through `read`), then again whenever a write
 * touched one of them; runs never overlap, so each run's table set is exactly its own.
 */
function watchRuns<T>(client: DbClient, query: (read: (tables: string[]) => void) => Promise<T>, onResult: (result: { data?: T; error?: Error }) => void): Watch {
  let reads = new Set<string>();
  const read = (tables: string[]) => tables.forEach((t) => reads.add(t));
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
        const data = await query(read);
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
  return live((onResult) => watchQuery(client, query, onResult), inputs);
}

/** Solid binding of `watchRead`: re-runs when a table it read changed, or when `args` change. */
export function createLiveRead<N extends ReadName>(client: DbClient, name: N, args: () => ReadArgs<N>): LiveQuery<ReadValue<N>> {
  return live((onResult) => watchRead(client, name, args, onResult), args);
}

function live<T>(watch: (onResult: (result: { data?: T; error?: Error }) => void) => Watch, inputs?: () => unknown): LiveQuery<T> {
  const [data, setData] = createSignal<T>();
  const [error, setError] = createSignal<Error>();
  const [runs, setRuns] = createSignal(0);
  const watching = watch((result) => {
    if (result.error) setError(result.error);
    else {
      setError(undefined);
      setData(() => result.data);
    }
    setRuns((n) => n + 1);
  });
  if (inputs) createEffect(on(inputs, () => watching.rerun(), { defer: true }));
  onCleanup(() => watching.dispose());
  return { data, error, runs };
}
