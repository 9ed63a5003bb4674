/**
 * What the sync client and the UserLog Durable Object agree on beyond the stock ws-common frames:
 * how auth and room travel in the WebSocket subprotocol, and the typed close codes.
 */

/** Close codes the server uses; 4xxx are CoBrain's own. A client must not reconnect on "final" ones. */
export const CloseCode = {
  /** The frame was not binary (ws-common frames only). */
  UnsupportedData: 1003,
  /** Over MAX_FRAME_BYTES. */
  FrameTooLarge: 1009,
  /** Could not be decoded, or a message that makes no sense in this state. */
  ProtocolError: 4400,
  /** Token missing, forged, expired or revoked. Final: sign in again. */
  Unauthorized: 4401,
  /** The token's user does not own this room. Final. */
  Forbidden: 4403,
  /** The device's schema differs from the server's. Final: update the app. */
  SchemaMismatch: 4409,
  /** A change failed validation (unknown table/column, bad pk, wrong value type). Final until fixed. */
  InvalidChange: 4422,
  /** The server failed inside (e.g. its storage): nothing is lost, try again with back-off. */
  ServerError: 1011,
  /** Too many reconnects from this device in the last minute: wait a minute, then try again. */
  TooManyReconnects: 4420,
  /** This user already has MAX_SOCKETS_PER_USER open sync connections: close one, then retry. */
  TooManyConnections: 4429,
  /**
   * This user's log is at its storage quota: the push was not stored. Not final: the device keeps
   * its changes and retries (bounded per minute), and still receives what is already stored.
   */
  StorageQuota: 4507,
  /**
   * The device writes with another key than the account's current one (an old generation, or a
   * key of its own). Final: the device must get the account's current key first.
   */
  WrongAccountKey: 4412,
  /**
   * Never sent by the server: the device has no account key while the account has one, so it must
   * not sync (it would write values no other device can read). Final until it gets the key.
   */
  NeedsAccountKey: 4413,
  /**
   * The account key was rotated (a device was revoked): the device fetches the new key sealed
   * for it (GET /api/keys), adopts it and reconnects. Not final.
   */
  KeyRotated: 4414,
} as const;

export type CloseCodeName = keyof typeof CloseCode;

/** Codes after which reconnecting cannot help; the client reports them instead of retrying. */
export const FINAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CloseCode.Unauthorized,
  CloseCode.Forbidden,
  CloseCode.SchemaMismatch,
  CloseCode.InvalidChange,
  CloseCode.WrongAccountKey,
  CloseCode.NeedsAccountKey,
]);

export interface SyncHandshake {
  auth?: string;
  room?: string;
}

/**
 * Decodes the stock client's `Sec-WebSocket-Protocol`: base64 of `auth=<token>,room=<room>`
 * without padding. Keys and values split at the first `=` (tokens may contain `=`).
 * Returns undefined when it is not that format.
 */
export function parseSyncProtocol(protocol: string): SyncHandshake | undefined {
  let decoded: string;
  try {
    decoded = atob(protocol);
  } catch {
    return undefined;
  }
  const result: SyncHandshake = {};
  for (const part of decoded.split(",")) {
    const eq = part.indexOf("=");
    if (eq <= 0) return undefined;
    const key = part.slice(0, eq);
    const value = part.slice(eq + 1);
    if (key === "auth") result.auth = value;
    else if (key === "room") result.room = value;
  }
  return result;
}

/** The inverse, as the stock client builds it. */
export function encodeSyncProtocol({ auth, room }: { auth?: string; room: string }): string {
  return btoa(`${auth === undefined ? "" : `auth=${auth},`}room=${room}`).replaceAll("=", "");
}
