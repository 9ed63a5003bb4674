/**
 * The account's database snapshot, in the UserLog's storage: one current snapshot (its meta
 * row) and its bytes in chunks. The bytes are sealed by a device with the account key; the
 * server never reads them, it only keeps and returns them.
 *
 * An upload writes its chunks under its own upload id while they arrive (nothing is buffered
 * whole), and `commit` switches the meta row to that id and drops the old chunks in one
 * transaction. Readers follow the meta row's upload id, so a reader never sees a mix of two
 * snapshots: it sees the old one, the new one, or (replaced mid-read) a read that fails.
 */
import type { SqlDatabase, SqlExec } from "./sqlStore";

export const SNAPSHOT_SQL = `
  CREATE TABLE IF NOT EXISTS snapshot (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    upload INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    schema_version INTEGER NOT NULL,
    size INTEGER NOT NULL,
    stored_at INTEGER NOT NULL,
    device TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS snapshot_chunks (
    upload INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (upload, idx)
  );
`;

/** Bytes per stored chunk: a Durable Object's SQLite row or BLOB holds at most 2 MB. */
export const SNAPSHOT_CHUNK_BYTES = 1024 * 1024;

export interface SnapshotMeta {
  /** Which upload's chunks hold the bytes. */
  upload: number;
  seq: number;
  schemaVersion: number;
  size: number;
  storedAt: number;
  device: string;
}

/** DO SQL binds blobs as ArrayBuffer and returns them as ArrayBuffer. */
const blob = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer;

export class SnapshotStore {
  readonly #db: SqlDatabase;
  readonly #sql: SqlExec;
  /** Uploads still receiving bytes in this instance (an eviction ends them, so memory is right). */
  readonly #live = new Set<number>();

  constructor(db: SqlDatabase) {
    this.#db = db;
    this.#sql = db.sql;
  }

  current(): SnapshotMeta | undefined {
    const row = this.#sql.exec("SELECT upload, seq, schema_version, size, stored_at, device FROM snapshot WHERE one = 1").toArray()[0];
    if (!row) return undefined;
    return {
      upload: Number(row.upload),
      seq: Number(row.seq),
      schemaVersion: Number(row.schema_version),
      size: Number(row.size),
      storedAt: Number(row.stored_at),
      device: String(row.device),
    };
  }

  /**
   * A new upload's id. Chunks of uploads that died with an earlier instance (neither current nor
   * live) are dropped first, so an interrupted upload never keeps its space.
   */
  begin(): number {
    const keep = [this.current()?.upload ?? -1, ...this.#live];
    this.#sql.exec(`DELETE FROM snapshot_chunks WHERE upload NOT IN (${keep.map(() => "?").join(", ")})`, ...keep);
    let upload: number;
    do upload = crypto.getRandomValues(new Uint32Array(1))[0]! + 1;
    while (this.#live.has(upload) || upload === keep[0]);
    this.#live.add(upload);
    return upload;
  }

  stage(upload: number, index: number, bytes: Uint8Array): void {
    this.#sql.exec("INSERT INTO snapshot_chunks (upload, idx, bytes) VALUES (?, ?, ?)", upload, index, blob(bytes));
  }

  /**
   * Makes `upload` the current snapshot and drops the one it replaces, in one transaction, unless
   * `check` (run first, inside it) says why not.
   */
  commit<R>(upload: number, meta: Omit<SnapshotMeta, "upload" | "storedAt">, check: () => R | undefined, now = Date.now()): R | undefined {
    const refused = this.#db.transactionSync(() => {
      const problem = check();
      if (problem) return problem;
      this.delete();
      this.#sql.exec(
        "INSERT INTO snapshot (one, upload, seq, schema_version, size, stored_at, device) VALUES (1, ?, ?, ?, ?, ?, ?)",
        upload,
        meta.seq,
        meta.schemaVersion,
        meta.size,
        now,
        meta.device,
      );
      return undefined;
    });
    if (!refused) this.#live.delete(upload);
    return refused;
  }

  /** Drops what an upload that is not committed staged. */
  abandon(upload: number): void {
    this.#live.delete(upload);
    if (this.current()?.upload === upload) return;
    this.#sql.exec("DELETE FROM snapshot_chunks WHERE upload = ?", upload);
  }

  /** Chunk `index` of `upload`; undefined once that upload is no longer stored. */
  chunk(upload: number, index: number): Uint8Array | undefined {
    const row = this.#sql.exec("SELECT bytes FROM snapshot_chunks WHERE upload = ? AND idx = ?", upload, index).toArray()[0];
    return row ? new Uint8Array(row.bytes as ArrayBuffer) : undefined;
  }

  /**
   * The current snapshot's bytes, read one chunk per pull (never all at once). A snapshot replaced
   * while it is being read fails the read instead of continuing with the new one's bytes.
   */
  read(meta: SnapshotMeta): ReadableStream<Uint8Array> {
    const chunks = Math.ceil(meta.size / SNAPSHOT_CHUNK_BYTES);
    let index = 0;
    return new ReadableStream<Uint8Array>(
      {
        pull: (controller) => {
          const bytes = this.chunk(meta.upload, index++);
          if (!bytes) return controller.error(new Error("the snapshot was replaced while it was being read; fetch it again"));
          controller.enqueue(bytes);
          if (index === chunks) controller.close();
        },
      },
      { highWaterMark: 0 },
    );
  }

  /** Drops the current snapshot (the log it was made from is gone, or its key). Call inside the caller's transaction. */
  delete(): void {
    const current = this.current();
    if (!current) return;
    this.#sql.exec("DELETE FROM snapshot_chunks WHERE upload = ?", current.upload);
    this.#sql.exec("DELETE FROM snapshot WHERE one = 1");
  }
}
