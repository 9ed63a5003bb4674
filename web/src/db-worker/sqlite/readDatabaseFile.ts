/**
 * The database file's bytes as SQLite last committed them, read through the VFS that holds it.
 *
 * The account's copy (db-worker/snapshot.ts) starts from these: reading the file is a fraction of
 * what `VACUUM INTO` costs (which rebuilds every table and index), and the connection is held
 * only for the read; the copy's rebuilding then runs in a worker of its own (worker/copyWorker.ts).
 * The caller must hold the connection between transactions (its exclusive section): with the
 * rollback journal, a COMMIT has written every page to the file, so the file is then the whole
 * database. Hand-written because wa-sqlite has no API for a database's bytes (no
 * `sqlite3_serialize`, no backup API in this build); it uses only the VFS methods SQLite calls.
 */
import * as SQLite from "@vlcn.io/wa-sqlite";
import type { FileVfs } from "./placeEmptyDatabase";

/** Our own file id, apart from SQLite's (placeEmptyDatabase uses 0x7ffffff0); closed before the function returns. */
const FILE_ID = 0x7ffffff1;

export function readDatabaseFile(vfs: FileVfs, name: string): Uint8Array {
  const out = new DataView(new ArrayBuffer(8));
  if (vfs.xOpen(name, FILE_ID, SQLite.SQLITE_OPEN_MAIN_DB | SQLite.SQLITE_OPEN_READONLY, out) !== SQLite.SQLITE_OK) {
    throw new Error(`could not open ${name} to read it`);
  }
  try {
    if (vfs.xFileSize(FILE_ID, out) !== SQLite.SQLITE_OK) throw new Error(`could not measure ${name}`);
    const bytes = new Uint8Array(Number(out.getBigInt64(0, true)));
    if (vfs.xRead(FILE_ID, bytes, 0) !== SQLite.SQLITE_OK) throw new Error(`could not read ${name}`);
    return bytes;
  } finally {
    vfs.xClose(FILE_ID);
  }
}
