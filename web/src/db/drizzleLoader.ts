/**
 * Drizzle's code, not part of the first paint: the list's own reads run in the worker
 * (db-worker/reads.ts), so the list paints without waiting for it. It is fetched at start, alongside
 * the list's first read (writes and reminders need it). Every screen loaded later waits for it, so
 * inside them `useDb().db` is ready; first-screen code awaits `useDb().drizzle()` instead.
 */
type DrizzleModule = typeof import("./drizzle");

let loading: Promise<DrizzleModule> | undefined;
let loaded: DrizzleModule | undefined;

export function loadDrizzle(): Promise<DrizzleModule> {
  loading ??= import("./drizzle").then(
    (module) => (loaded = module),
    (error: unknown) => {
      loading = undefined; // a failed fetch (say, a new version deployed meanwhile) is tried again next time
      throw error;
    },
  );
  return loading;
}

/** The module if it has loaded, else undefined. */
export function drizzleIfLoaded(): DrizzleModule | undefined {
  return loaded;
}
