/**
 * Persistent storage: without it the browser may clear the notes database under storage pressure,
 * and Safari clears a site's data after 7 days without a visit. Asked for once at the first
 * meaningful moment (the first note saved, or the app installed), and whenever the person asks in
 * Settings; the answer is remembered to say in Settings when and how the browser answered.
 */

const ASKED_KEY = "cobrain.persist.asked";

export type PersistAnswer = { granted: boolean; at: number; reason: "first-note" | "installed" | "settings" };

export type PersistState = "persisted" | "refused" | "not-asked" | "unsupported";

type KeyValueStore = Pick<Storage, "getItem" | "setItem">;
type StorageManagerLike = Pick<StorageManager, "persist" | "persisted">;

const manager = (): StorageManagerLike | undefined =>
  typeof navigator !== "undefined" && "storage" in navigator && typeof navigator.storage.persist === "function" ? navigator.storage : undefined;

export function lastAnswer(store: KeyValueStore | undefined = globalThis.localStorage): PersistAnswer | undefined {
  try {
    const saved = JSON.parse(store?.getItem(ASKED_KEY) ?? "null") as PersistAnswer | null;
    return saved && typeof saved.granted === "boolean" ? saved : undefined;
  } catch {
    return undefined;
  }
}

/** Asks the browser to keep storage, and remembers its answer. */
export async function requestPersistence(reason: PersistAnswer["reason"], storage = manager(), store: KeyValueStore | undefined = globalThis.localStorage): Promise<boolean | undefined> {
  if (!storage) return undefined;
  const granted = await storage.persist();
  try {
    store?.setItem(ASKED_KEY, JSON.stringify({ granted, at: Date.now(), reason } satisfies PersistAnswer));
  } catch {
    // Not remembered: Settings still reads the state from the browser.
  }
  return granted;
}

/** Installing changes the browser's answer (Chromium grants installed apps): ask again then. */
export async function requestPersistenceAfterInstall(storage = manager(), store: KeyValueStore | undefined = globalThis.localStorage): Promise<void> {
  if (storage && !(await storage.persisted())) await requestPersistence("installed", storage, store);
}

/** Asks once, automatically, unless already asked or already persistent (Firefox asks the person each time). */
export async function requestPersistenceOnce(reason: PersistAnswer["reason"], storage = manager(), store: KeyValueStore | undefined = globalThis.localStorage): Promise<void> {
  if (!storage || lastAnswer(store) || (await storage.persisted())) return;
  await requestPersistence(reason, storage, store);
}

/** What Settings says: persistent, refused when asked, not asked yet, or not available here. */
export async function persistState(storage = manager(), store: KeyValueStore | undefined = globalThis.localStorage): Promise<PersistState> {
  if (!storage) return "unsupported";
  if (await storage.persisted()) return "persisted";
  return lastAnswer(store) ? "refused" : "not-asked";
}
