/**
 * Where entity ids get their key (shared/ids.ts derives them): the app asks the database worker,
 * which holds the account's id key (or, before the device has the account key, a device-local one
 * it re-keys from later). Apart from ids.ts so the app can register the source at start without
 * loading the hash code with its first paint.
 */
let keySource: (() => Promise<Uint8Array>) | undefined;

export function setEntityIdKeySource(source: () => Promise<Uint8Array>): void {
  keySource = source;
}

/** The id key to derive entity ids with now. */
export function entityIdKey(): Promise<Uint8Array> {
  if (!keySource) throw new Error("entity ids need a key: call setEntityIdKeySource first");
  return keySource();
}
