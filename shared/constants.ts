/**
 * Limits and timings shared by the app and the sync server. Every value says why it is what it is.
 */

/** Name announced to the sync server with the schema version; a different name is a different app. */
export const SCHEMA_NAME = "cobrain";

/** File name of the database inside whichever storage backend holds it. */
export const DB_FILE_NAME = "cobrain.db";

/** OPFS directory owned by the access-handle pool; nothing else may write there. */
export const OPFS_POOL_DIRECTORY = "cobrain-pool";

/** navigator.locks name: whoever holds it owns the single OPFS connection for this origin. */
export const DB_OWNER_LOCK = "cobrain-db-owner";

/** BroadcastChannel over which non-owner tabs route queries to the owner tab's worker. */
export const DB_CHANNEL = "cobrain-db";

/** Below this much free quota a failed write is reported as "storage full" (a write needs pages + journal). */
export const STORAGE_LOW_BYTES = 8 * 1024 * 1024;

/** Prepared statements kept per connection; the app issues a few dozen distinct statements. */
export const STATEMENT_CACHE_SIZE = 128;

/**
 * Opening the OPFS pool fails while a closing tab still holds its access handles; a reload
 * usually frees them within a second, so retry for this long before giving up.
 */
export const OPFS_OPEN_RETRY_MS = 5_000;

/** Delay between OPFS open attempts while the previous owner releases its handles. */
export const OPFS_OPEN_RETRY_STEP_MS = 100;

/**
 * The search index is checked against the notes this long after the database opens, not before
 * the first screen: the check reads every note (about 150 ms per 10,000 notes).
 */
export const SEARCH_INDEX_CHECK_DELAY_MS = 3_000;

/**
 * Rows per multi-row INSERT in bulk imports: 500 rows x 9 columns stays far below SQLite's
 * 32,766 bound-parameter limit while cutting per-statement overhead 500-fold.
 */
export const BULK_INSERT_ROWS_PER_STATEMENT = 500;

/** After the page says it is going away, the owner keeps serving it this long for trailing saves. */
export const SUSPEND_GRACE_MS = 150;

/**
 * Forwarded requests an owner remembers to ignore re-sends of; far more than a tab has in flight.
 */
export const ACCEPTED_REQUESTS_REMEMBERED = 10_000;

// ---- Sync ----

/**
 * Largest WebSocket frame either side sends or accepts. Cloudflare closes a socket on a frame over
 * 1 MiB (code 1009); half of that leaves room for encoding overhead and estimates.
 */
export const MAX_FRAME_BYTES = 512 * 1024;

/** Outbound frames are cut when their estimated size passes this, so they stay under MAX_FRAME_BYTES. */
export const OUTBOUND_FRAME_TARGET_BYTES = 384 * 1024;

/** Durable Object SQL allows at most 100 bound parameters per statement. */
export const MAX_SQL_PARAMS = 100;

/** Log rows read per query while streaming a backlog, so a 10k-note catch-up is not one huge array. */
export const BACKLOG_PAGE_ROWS = 2_000;

/**
 * Estimated wire bytes the server sends one socket before it waits for that device's
 * acknowledgement (its next Ping): one page per acknowledgement, so serving a 50,000-change
 * backlog is many small invocations, never one that runs out of CPU or memory. Two frames'
 * worth, so live edits flow between heartbeats without waiting.
 */
export const BACKLOG_PAGE_BYTES = 2 * OUTBOUND_FRAME_TARGET_BYTES;

/** Changes per page at most, whatever their size: the CPU one invocation spends on a page. */
export const BACKLOG_PAGE_CHANGES = 5_000;

/**
 * A page not acknowledged after this long counts as delivered (the Durable Object's alarm sends
 * the next one), so a client that never pings, such as the stock ws-client transport, still
 * progresses, one page per wait.
 */
export const BACKLOG_ACK_WAIT_MS = 500;

/**
 * RejectChanges replays one socket may cause per REJECT_REPLAY_WINDOW_MS. A device that cannot
 * apply what it receives rejects every time; alternating two cursors must not make the server
 * replay the log again and again. Past this, the socket gets nothing more until it reconnects.
 */
export const MAX_REJECT_REPLAYS_PER_WINDOW = 5;

/** The window the replay limit counts over. */
export const REJECT_REPLAY_WINDOW_MS = 60_000;

/**
 * Open sync sockets one user may have. One tab per device syncs, so this is devices; generous
 * for a person (the load test uses 20), and it bounds the fan-out work of one push.
 */
export const MAX_SOCKETS_PER_USER = 32;

/**
 * Storage one user's log may take, in bytes of the Durable Object's SQLite database: far under
 * the Durable Object's own 10 GB, so a push is refused with a clear code before storage fails.
 */
export const USER_STORAGE_QUOTA_BYTES = 1024 * 1024 * 1024;

/** Stored bytes per wire byte of a change (the log row plus its cell index), for the quota check. */
export const STORAGE_BYTES_PER_WIRE_BYTE = 3;

/**
 * Sync handshakes one device may make per minute, counted at the server. The client's back-off
 * makes about 7 in its first minute of failures and 2 a minute after; a client looping without
 * back-off (the stock one reconnects every 1–3 s) is refused past this.
 */
export const MAX_SYNC_HANDSHAKES_PER_MINUTE = 20;

/** Bytes one change tuple takes at least on the wire; used to reject absurd counts before decoding. */
export const MIN_CHANGE_WIRE_BYTES = 30;

/** Bytes one lastSeens entry of AnnouncePresence takes at least (site id, int64, varint). */
export const MIN_LAST_SEEN_WIRE_BYTES = 25;

/** Version of the Durable Object's storage layout; bump with a migration when it changes. */
export const USER_LOG_FORMAT_VERSION = 7;

/** Retry-After of a 503: a Durable Object that failed is usually back within seconds. */
export const SERVER_ERROR_RETRY_AFTER_S = 5;

/** How long a sign-in link from `npm start` or `npm run token` works: long enough to open it. */
export const SIGN_IN_LINK_MINUTES = 10;

/** Local changes read per pull while pushing a backlog; bounds memory on a 10k-note first sync. */
export const PULL_PAGE_CHANGES = 4_000;

// ---- Sync client ----

/** First reconnect delay; doubles per failed attempt (with jitter) up to RECONNECT_MAX_MS. */
export const RECONNECT_BASE_MS = 500;

/** Longest wait between reconnect attempts, so a device back online resyncs within half a minute. */
export const RECONNECT_MAX_MS = 30_000;

/** A Ping this often notices a dead socket (the browser cannot see a half-open TCP connection). */
export const HEARTBEAT_INTERVAL_MS = 20_000;

/** No frame at all for this long after a Ping: the socket is dead, reconnect. */
export const HEARTBEAT_TIMEOUT_MS = 10_000;

/** Stop queueing frames while this much is unsent; the stream retries once the buffer drains. */
export const SEND_BUFFER_LIMIT_BYTES = 4 * 1024 * 1024;

/**
 * How often a full send buffer is checked for room: the stock stream waits at least 1 s (doubling)
 * before it tries again, which left an upload outpacing the server idle most of the time.
 */
export const SEND_BUFFER_DRAIN_POLL_MS = 20;

/** A burst's first local write is pushed at once; those that follow within this window go together (one pull). */
export const LOCAL_CHANGE_COALESCE_MS = 25;

/** `devices.last_sync_at` is rewritten at most this often: every write is a change all devices sync. */
export const DEVICE_SEEN_INTERVAL_MS = 10 * 60_000;

/**
 * Longest title or body a note may have: one cell must fit in one sync frame (MAX_FRAME_BYTES),
 * and UTF-8 takes up to 3 bytes a character.
 */
export const MAX_NOTE_TEXT_CHARS = 150_000;

/**
 * Largest replicated text cell in UTF-8 bytes, checked by a trigger on every write (app, import,
 * restore, console): one change must fit in one frame (MAX_FRAME_BYTES) with room for its key,
 * names and the frame's own bytes. Notes (MAX_NOTE_TEXT_CHARS x 3 bytes) stay below it.
 */
export const MAX_SYNC_CELL_BYTES = 480 * 1024;

/** Sync activity log entries kept on the device (a local table; older ones are dropped). */
export const SYNC_ACTIVITY_KEEP = 300;

/**
 * Connection attempts allowed in any minute, whatever the server does (refuses, or acknowledges
 * and then closes again): bounds a loop the back-off alone would not. The ordinary back-off
 * (RECONNECT_BASE_MS doubling) makes at most 10 attempts in its first minute, so it never waits
 * on this.
 */
export const MAX_RECONNECTS_PER_MINUTE = 10;

/** Typing pauses this long before the note is saved; pagehide and blur save at once. */
export const AUTOSAVE_DELAY_MS = 150;

// ---- Devices and linking ----

/** Characters of a link code: Crockford's base32 (no I, L, O, U), so it reads aloud and types easily. */
export const LINK_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** 8 characters = 40 bits: with the attempt limits below, guessing one in 10 minutes is hopeless. */
export const LINK_CODE_LENGTH = 8;

/** A link code works this long, once. */
export const LINK_CODE_TTL_MS = 10 * 60_000;

/**
 * Failed claims allowed per client address per LINK_ATTEMPT_WINDOW_MS before it is refused (429).
 * An IPv6 address counts as its /64: one household or server gets a whole /64 to rotate through.
 */
export const LINK_ATTEMPTS_PER_ADDRESS = 10;

/**
 * Failed claims from everyone together per window after which an address that has already failed
 * is refused at once. An address with no failure still gets its tries, so one client flooding
 * from many addresses cannot lock everyone else out of linking.
 */
export const LINK_ATTEMPTS_GLOBAL = 5_000;

/** Open (unused, unexpired) link codes one user may hold: enough for a few devices at once. */
export const LINK_CODES_OPEN_PER_USER = 5;

/** AUTH_SECRET shorter than this (in bytes) is refused: HS256 wants a key as long as its hash. */
export const AUTH_SECRET_MIN_BYTES = 32;

/** The window the attempt limits count over. */
export const LINK_ATTEMPT_WINDOW_MS = 10 * 60_000;

/** Lifetime of an access token: a stolen one is useful for minutes, not months. */
export const ACCESS_TOKEN_TTL_S = 15 * 60;

/** No access token is accepted that was made to last longer than this, whoever signed it. */
export const ACCESS_TOKEN_MAX_TTL_S = 60 * 60;

/** A device refreshes its access token once less than this much of it is left. */
export const TOKEN_RENEW_BEFORE_MS = 2 * 60_000;

/** A spent refresh credential is recognised (as a copy, revoking its device) for this long. */
export const REFRESH_REUSE_MEMORY_MS = 180 * 86_400_000;

/** A device asks for security alerts when sync first comes up, then at most this often. */
export const SECURITY_ALERTS_CHECK_MS = 5 * 60_000;

/** Security alerts kept per user (newest first): enough to see what happened lately. */
export const SECURITY_ALERTS_KEPT = 20;

/** Random bytes in a refresh credential (kept only on its device; the server keeps its hash). */
export const REFRESH_SECRET_BYTES = 32;

/** A note's history gets at most one edit revision per device in this long a stretch of typing. */
export const REVISION_INTERVAL_MS = 5 * 60_000;

/**
 * History retention: every revision is kept this long, then one per note per UTC day until
 * HISTORY_DAILY_MS, then none. Unresolved conflict revisions are always kept. Pruning picks the
 * same rows on every device (it depends only on the rows and their times), so it converges.
 */
export const HISTORY_KEEP_ALL_MS = 30 * 86_400_000;
export const HISTORY_DAILY_MS = 365 * 86_400_000;
/** History is pruned this long after the app starts, out of the way of the first screen. */
export const HISTORY_PRUNE_DELAY_MS = 10_000;

/**
 * Word-level merging of one changed block stops at this many tokens (node-diff3's LCS is quadratic:
 * ~4,000 tokens took 12 s): a larger block both sides changed is kept whole, the winner's in the
 * note and the other in a conflict revision, so nothing is lost and the worker never stalls.
 */
export const MAX_WORD_MERGE_TOKENS = 600;

/** Files a zip import may hold: a notes export has one per note; more is not an export of notes and would stall the tab. */
export const MAX_IMPORT_ZIP_ENTRIES = 20_000;

/** Total unpacked bytes of a zip import, read from its directory before inflating: the whole import is held in the tab's memory at once (a zip bomb must not crash it). */
export const MAX_IMPORT_UNPACKED_BYTES = 200 * 1024 * 1024;

/** Note titles a preview names per group (new, updated, skipped); the rest are counted. */
export const IMPORT_PREVIEW_NAMES = 10;

/**
 * The history panel's word diff gives up after this long (a large, very different body could take
 * seconds on the main thread) and shows a line diff instead, which has far fewer tokens.
 */
export const HISTORY_DIFF_TIMEOUT_MS = 50;

/**
 * How long opening the IndexedDB database may wait before the app says why it is stuck: a
 * healthy open takes well under a second; past this another connection is holding it.
 */
export const IDB_OPEN_TIMEOUT_MS = 15_000;

// ---- Database snapshots ----

/**
 * The first bytes of every database snapshot a device uploads (the ASCII of this string; the
 * rest is sealed with the account key): the server checks only this prefix and the size.
 */
export const SNAPSHOT_MAGIC = "CBSNAP01";

/**
 * Largest snapshot the server stores: well under a Worker's 100 MB request body limit, and what
 * a phone can hold in memory twice (its database and the sealed copy).
 */
export const SNAPSHOT_MAX_BYTES = 64 * 1024 * 1024;

/**
 * A synced device offers a new copy of the account's database once the server's log has grown by
 * this many changes past the last copy (about 700 notes): below it, a new device replays the rest
 * in about a second (README, "A new device starts from a copy").
 */
export const COPY_MIN_NEW_CHANGES = 5_000;

/**
 * A new device gives up on the account's copy when no byte of it arrives for this long, and
 * receives the log change by change instead: a stalled download must not hold the first sync.
 */
export const COPY_STALL_MS = 20_000;

/** A device's upload of a new copy is abandoned after this long (64 MiB at about 0.5 MB/s). */
export const COPY_UPLOAD_TIMEOUT_MS = 120_000;
