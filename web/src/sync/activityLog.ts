/**
 * The sync activity log (DESIGN §9): what sync did and when, kept on this device in the local
 * `sync_activity` table (never replicated) and bounded to SYNC_ACTIVITY_KEEP entries. Events are
 * buffered and written together at most every ACTIVITY_FLUSH_MS, so logging a keystroke's push
 * and its acknowledgement does not cost two more commits.
 */
import { SYNC_ACTIVITY_KEEP } from "../../../shared/constants";
import type { SqliteConnection } from "../db-worker/sqlite/connection";
import type { Exclusive } from "./syncDb";

export type ActivityKind = "connected" | "sent" | "received" | "acknowledged" | "refused" | "offline" | "online" | "held" | "error";

export interface ActivityEntry {
  at: number;
  kind: ActivityKind;
  detail: string;
}

/** Buffered entries are written this often; the log is for people, a second late is fine. */
const ACTIVITY_FLUSH_MS = 1_000;

export async function writeActivity(db: SqliteConnection, entries: readonly ActivityEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db.transaction(async () => {
    for (const e of entries) await db.exec("INSERT INTO sync_activity (at, kind, detail) VALUES (?, ?, ?)", [e.at, e.kind, e.detail]);
    await db.exec("DELETE FROM sync_activity WHERE id <= (SELECT max(id) FROM sync_activity) - ?", [SYNC_ACTIVITY_KEEP]);
  });
}

export class ActivityLog {
  readonly #exclusive: Exclusive;
  #buffer: ActivityEntry[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(exclusive: Exclusive) {
    this.#exclusive = exclusive;
  }

  add(kind: ActivityKind, detail = ""): void {
    this.#buffer.push({ at: Date.now(), kind, detail });
    this.#timer ??= setTimeout(() => void this.flush(), ACTIVITY_FLUSH_MS);
  }

  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const entries = this.#buffer;
    this.#buffer = [];
    await this.#exclusive((db) => writeActivity(db, entries)).catch((error: unknown) => console.warn("CoBrain: the sync activity log could not be written", error));
  }
}
