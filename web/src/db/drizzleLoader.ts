/**
 * Drizzle's code, loaded after the first paint (the list's own reads run in the worker, see
 * db-worker/reads.ts). Every screen loaded later waits for it, so inside them `useDb().db` is
 * ready; first-screen code awaits `useDb().drizzle()` instead.
 */
type DrizzleModule = typeof import("./drizzle");

let loading: Promise<DrizzleModule> | undefined;
let loaded: DrizzleModule | undefined;

export function loadDrizzle(): Promise<DrizzleModule> {
  loading ??= import("./drizzle").then((module) => (loaded = module));
  return loading;
}

/** The module if it has loaded, else undefined. */
export function drizzleIfLoaded(): DrizzleModule | undefined {
  return loaded;
}
