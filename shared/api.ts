/**
 * The HTTP contract of `/api/*`: what each route takes and answers, per status code, in the
 * shape Hono's RPC client (`hc`) reads. The app types its calls with `ApiApp`; the Worker
 * (worker/index.ts) checks at compile time that the routes it serves match this schema exactly,
 * so the two sides cannot drift apart. It lives here, not as `typeof routes` imported from the
 * Worker, because the app's type check cannot see the Workers runtime types those routes carry.
 */
import type { Hono } from "hono";

/** The methods the API uses (what a forwarded call may carry). */
export type ApiMethod = "GET" | "POST" | "PATCH" | "DELETE";

/** Every refusal's body: words for the person, shown as they are. */
export interface ApiError {
  error: string;
}

/** Who the calling token says it is. */
export interface ApiIdentity {
  userId: string;
  deviceId: string;
}

/** One of the user's devices as the server's registry keeps it. */
export interface DeviceRecord {
  deviceId: string;
  name: string;
  platform: string;
  createdAt: number;
  lastSeen: number;
  revokedAt: number | null;
}

/** One of the user's devices as `/api/devices` lists it. */
export interface ApiDevice extends DeviceRecord {
  /** The device whose token asked. */
  current: boolean;
}

/** A one-time code a signed-in device shows so a new one can join. */
export interface ApiLinkCode {
  code: string;
  expiresAt: number;
}

export interface ApiLinkClaim {
  code: string;
  name?: string;
  platform?: string;
}

/** Something the user should know about their account, shown on every device. */
export interface SecurityAlert {
  id: number;
  at: number;
  deviceId: string;
  message: string;
}

/** A short-lived access token and the device's next refresh credential (the old one is spent). */
export interface ApiTokens {
  token: string;
  refresh: string;
}

/** What a new device gets for a good code: its own tokens, nothing else. */
export interface ApiLinkClaimed {
  token: string;
  refresh: string;
  userId: string;
  deviceId: string;
}

export interface ApiLogStats {
  /** The log's highest sequence number (0 when empty). */
  head: number;
  rows: number;
  peers: number;
  /** Notes alive in the log (a new device's progress: notes received of these). */
  notes: number;
  /** The sequence number the stored snapshot covers, or null when there is none. */
  snapshotSeq: number | null;
  /** The server's site id (hex): every change a device receives is recorded as this site's. */
  serverSite: string;
}

/** Request headers of `PUT /api/snapshot` (decimal integers), echoed on `GET /api/snapshot`. */
export const SNAPSHOT_SEQ_HEADER = "x-snapshot-seq";
export const SNAPSHOT_SCHEMA_HEADER = "x-snapshot-schema";
/**
 * Optional, together: the maker's cr-sqlite site id (hex) and the log's head it read before making
 * the snapshot. Its own pushes after its cursor are in the snapshot too, so the server extends the
 * covered seq over them, up to the first entry another site pushed and never past that head.
 */
export const SNAPSHOT_SITE_HEADER = "x-snapshot-site";
export const SNAPSHOT_UNTIL_HEADER = "x-snapshot-until";

/**
 * What a snapshot upload says about its opaque body: the server sequence number it covers (the
 * device then syncs from there) and the database schema version it was made with.
 */
export interface ApiSnapshotHeaders {
  [SNAPSHOT_SEQ_HEADER]: string;
  [SNAPSHOT_SCHEMA_HEADER]: string;
}

/** A stored snapshot: the sequence number it covers and its size in bytes. */
export interface ApiSnapshotStored {
  seq: number;
  size: number;
}

/** Sync handshakes of one device as the server counted them (its bound on reconnect loops). */
export interface ApiHandshakeCount {
  deviceId: string;
  /** Handshakes in the current clock minute, refused ones included. */
  thisMinute: number;
  total: number;
}

export interface ApiHandshakes {
  limitPerMinute: number;
  devices: ApiHandshakeCount[];
}

/** The account's current key generation as the server knows it (its id only; never the key). */
export interface ApiAccountKey {
  /** Null while no device has registered the account's first key. */
  keyId: string | null;
  generation: number | null;
  /**
   * The idKey sealed under the current generation's secret (web/src/crypto/keyWrap.ts), so a
   * device holding the secret (phrase or QR link) gets the idKey too; null until the first device
   * stored it.
   */
  wrappedIdKey: string | null;
  /** Key ids of earlier generations, so an old phrase is told apart from a wrong one. */
  olderKeyIds: string[];
  /** The current generation's secret sealed for the calling device's public key, after a rotation. */
  wrappedForDevice: string | null;
  /**
   * The account has no key yet but its log holds plaintext written before encryption: the
   * calling device must have received up to `mustSee` (its cursor for `serverSite`, hex) before
   * it may register a key, which replaces that log (nothing only the server holds is lost).
   */
  plaintextLog: { serverSite: string; mustSee: number } | null;
}

/** `seen`: the device's cursor in the server's log (for an account whose log holds plaintext). */
export interface ApiKeyInitRequest {
  keyId: string;
  generation: number;
  seen?: number;
}

/** Registering the account's first key id: `created` false when it was already registered. */
export interface ApiKeyInit {
  keyId: string;
  generation: number;
  created: boolean;
}

/** Another key was registered first: the device must get that key, never sync with its own. */
export interface ApiKeyConflict extends ApiError {
  keyId?: string;
  generation?: number;
  /** The log holds plaintext this device has not received yet: sync up to here first. */
  catchUpTo?: number;
}

/** A device's ECDH P-256 public key (a JWK as JSON), for wrapping rotated secrets to it. */
export interface ApiDeviceKey {
  deviceId: string;
  publicKey: string;
}

/** A rotation: the next generation, wrapped for each remaining device, and the live state under it. */
export interface ApiKeyRotation {
  /** The last server sequence number the rotating device has received: the compare-and-set. */
  expectedHead: number;
  expectedKeyId: string;
  generation: number;
  keyId: string;
  wrappedIdKey: string;
  /** deviceId → the new secret sealed for that device's public key. */
  wraps: Record<string, string>;
  /** One ws-common Changes frame (base64url) holding the whole live state under the new key. */
  changes: string;
}

type Answer<In, Out, Status extends number> = { input: In; output: Out; outputFormat: "json"; status: Status };
/** An answer whose body is raw bytes (`application/octet-stream`), not JSON. */
type Bytes<In, Status extends number> = { input: In; output: ReadableStream<Uint8Array>; outputFormat: "body"; status: Status };
type SnapshotPut = { header: ApiSnapshotHeaders };
type DeviceParam = { param: { id: string } };

export type ApiSchema = {
  "/api/public/link-claim": {
    $post: Answer<{ json: ApiLinkClaim }, ApiLinkClaimed, 200> | Answer<{ json: ApiLinkClaim }, ApiError, 400 | 410 | 429>;
  };
  "/api/public/link-peek": {
    $post: Answer<{ json: { code: string } }, { userId: string }, 200> | Answer<{ json: { code: string } }, ApiError, 400 | 410 | 429>;
  };
  "/api/keys": { $get: Answer<{}, ApiAccountKey, 200> };
  "/api/keys/init": {
    $post:
      | Answer<{ json: ApiKeyInitRequest }, ApiKeyInit, 200>
      | Answer<{ json: ApiKeyInitRequest }, ApiError, 400>
      | Answer<{ json: ApiKeyInitRequest }, ApiKeyConflict, 409>;
  };
  "/api/me": { $get: Answer<{}, ApiIdentity, 200> };
  "/api/log/stats": { $get: Answer<{}, ApiLogStats, 200> };
  /**
   * The account's database snapshot, sealed by a device with the account key (the server never
   * reads it). PUT: the raw bytes as the body; GET: the bytes, with the two headers.
   */
  "/api/snapshot": {
    $put: Answer<SnapshotPut, ApiSnapshotStored, 200> | Answer<SnapshotPut, ApiError, 400 | 409 | 413>;
    $get: Bytes<{}, 200> | Answer<{}, ApiError, 404>;
    /** Removes it (new devices then receive the log change by change). */
    $delete: Answer<{}, { deleted: boolean }, 200>;
  };
  "/api/sync/handshakes": { $get: Answer<{}, ApiHandshakes, 200> };
  "/api/public/token/refresh": {
    $post: Answer<{ json: { refresh: string } }, ApiTokens, 200> | Answer<{ json: { refresh: string } }, ApiError, 400 | 401>;
  };
  "/api/token/enroll": { $post: Answer<{}, { refresh: string }, 200> | Answer<{}, ApiError, 409> };
  "/api/sign-out": { $post: Answer<{}, { ok: true }, 200> };
  "/api/alerts": { $get: Answer<{}, SecurityAlert[], 200> };
  "/api/link-codes": { $post: Answer<{}, ApiLinkCode, 201> | Answer<{}, ApiError, 429> };
  "/api/keys/id-key": {
    $post: Answer<{ json: { keyId: string; wrappedIdKey: string } }, { ok: true }, 200> | Answer<{ json: { keyId: string; wrappedIdKey: string } }, ApiError, 400 | 409>;
  };
  "/api/keys/device": { $post: Answer<{ json: { publicKey: string } }, { ok: true }, 200> | Answer<{ json: { publicKey: string } }, ApiError, 400> };
  "/api/keys/devices": { $get: Answer<{}, ApiDeviceKey[], 200> };
  "/api/keys/rotate": {
    $post: Answer<{ json: ApiKeyRotation }, { ok: true; generation: number; appended: number }, 200> | Answer<{ json: ApiKeyRotation }, ApiError, 400 | 409>;
  };
  "/api/devices": { $get: Answer<{}, ApiDevice[], 200> };
  "/api/devices/:id": {
    $patch: Answer<DeviceParam & { json: { name: string } }, { ok: true }, 200> | Answer<DeviceParam & { json: { name: string } }, ApiError, 400 | 404>;
    $delete: Answer<DeviceParam, { ok: true }, 200> | Answer<DeviceParam, ApiError, 400 | 404>;
  };
};

/**
 * The app as `hc<ApiApp>` sees it. Every route behind the bearer check may also answer 401 with
 * an `ApiError` (its middleware throws, so Hono's types cannot list it).
 */
export type ApiApp = Hono<{}, ApiSchema, "/">;
