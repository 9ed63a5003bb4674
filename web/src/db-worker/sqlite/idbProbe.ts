/**
 * Checks, before SQLite opens its IndexedDB database, that IndexedDB will answer: the database
 * opens and a read-write transaction over its stores can start. wa-sqlite's VFS waits forever on
 * either; this says which one is held and by what, after a time limit, instead of leaving the
 * page on "Opening your notes…".
 */
import { IDB_OPEN_TIMEOUT_MS } from "../../../../shared/constants";

/** IndexedDB did not answer in time: another connection holds the database. Not a reason to fall back to an empty storage. */
export class IndexedDbStuckError extends Error {
  override name = "IndexedDbStuckError";
}

function withTimeout<T>(promise: Promise<T>, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new IndexedDbStuckError(message)), IDB_OPEN_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const seconds = `${IDB_OPEN_TIMEOUT_MS / 1000} s`;

/** Opens `name` at its current version (or creates it empty), then starts and finishes a read-write transaction on all its stores. */
export async function probeIndexedDb(name: string): Promise<void> {
  const db = await withTimeout(
    new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(name);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error(`IndexedDB could not open ${name}`));
      // Only a version change can be blocked; the VFS asks for one only on a database it creates.
      request.onblocked = () => console.warn(`CoBrain: opening IndexedDB "${name}" is blocked by another connection`);
    }),
    `IndexedDB did not open the notes database within ${seconds}: another window of this app, or one that just closed, still holds it. Close the app's other windows and reload.`,
  );
  try {
    if (db.objectStoreNames.length === 0) return;
    const tx = db.transaction(db.objectStoreNames, "readwrite");
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onabort = () => reject(tx.error ?? new Error("an IndexedDB transaction was aborted"));
        tx.objectStore(db.objectStoreNames[0]!).count();
      }),
      `IndexedDB opened but could not start writing within ${seconds}: a transaction of another window of this app, or of one that just closed, still holds the notes database. Close the app's other windows and reload.`,
    );
  } finally {
    db.close();
  }
}
