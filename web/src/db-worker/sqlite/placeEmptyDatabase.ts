/**
 * Writes the empty database the build made (`emptyDatabase.ts`) where a new device's database
 * goes, so SQLite opens a migrated file instead of creating and migrating one.
 *
 * It must never cost a note, and an interrupted write must not leave a file SQLite refuses: the
 * file is written with its first 16 bytes (SQLite's "SQLite format 3" header string) zero, flushed,
 * and only then are those 16 bytes written and flushed. A file cut short anywhere before that is
 * recognisable (zero header, no longer than the shipped file, every byte the shipped one's or a
 * zero the storage has not filled yet) and is written again; any other file is a database someone
 * used and is left exactly as it is, unless the caller says a copy of the account's database was
 * being placed there (`copyWasBeingPlaced`): then any file whose header string is zero is that
 * copy cut short. A rollback journal beside a missing or empty database is left
 * to SQLite too (it holds pages that file once had).
 * Hand-written because no library places a file through a wa-sqlite VFS; it uses only the VFS
 * methods SQLite itself calls.
 */
import * as SQLite from "@vlcn.io/wa-sqlite";

/** The VFS methods this uses (wa-sqlite's JS VFS interface, as AccessHandlePoolVFS and MemoryVFS have them). */
export interface FileVfs {
  xOpen(name: string, fileId: number, flags: number, pOutFlags: DataView): number;
  xClose(fileId: number): number;
  xRead(fileId: number, pData: Uint8Array, iOffset: number): number;
  xWrite(fileId: number, pData: Uint8Array, iOffset: number): number;
  xTruncate(fileId: number, iSize: number): number;
  xSync(fileId: number, flags: number): number;
  xFileSize(fileId: number, pSize64: DataView): number;
  xAccess(name: string, flags: number, pResOut: DataView): number;
}

/** Length of SQLite's header string, the last part written. */
const HEADER_STRING_BYTES = 16;
/** Our own file id: SQLite has opened nothing on this VFS yet, and this one is closed before it does. */
const FILE_ID = 0x7ffffff0;
const MAIN_DB = SQLite.SQLITE_OPEN_MAIN_DB | SQLite.SQLITE_OPEN_READWRITE;

/** The shipped file back from the string the build put in the worker's code (gzip, base64). */
export async function unpackEmptyDatabase(packed: string): Promise<Uint8Array> {
  const gzipped = Uint8Array.from(atob(packed), (c) => c.charCodeAt(0));
  const stream = new Blob([gzipped]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function check(rc: number, what: string): void {
  if (rc !== SQLite.SQLITE_OK) throw new Error(`could not ${what} the new database file (SQLite code ${rc})`);
}

/** Empties the open file: one SQLite creates a database in as usual. */
function empty(vfs: FileVfs): void {
  check(vfs.xTruncate(FILE_ID, 0), "empty");
  check(vfs.xSync(FILE_ID, SQLite.SQLITE_SYNC_FULL), "flush");
}

/**
 * Places the shipped file as `name` in `vfs` when nothing is there yet, or only an earlier
 * placement cut short; true when it did. `shipped` is asked for only then (a database in use is
 * told apart by its header string alone, so an open of one unpacks nothing). Throws when the
 * storage refuses a write, after emptying the file again.
 */
export async function placeEmptyDatabase(vfs: FileVfs, name: string, shipped: () => Promise<Uint8Array>, copyWasBeingPlaced = false): Promise<boolean> {
  const out = new DataView(new ArrayBuffer(8));
  const exists = (path: string) => {
    check(vfs.xAccess(path, SQLite.SQLITE_ACCESS_EXISTS, out), "look for");
    return out.getInt32(0, true) !== 0;
  };
  if (exists(`${name}-journal`)) return false;
  const existing = exists(name);
  check(vfs.xOpen(name, FILE_ID, existing ? MAIN_DB : MAIN_DB | SQLite.SQLITE_OPEN_CREATE, out), "open");
  try {
    check(vfs.xFileSize(FILE_ID, out), "measure");
    const size = Number(out.getBigInt64(0, true));
    if (size > 0 && !headerStringIsZero(vfs, size)) return false;
    const file = await shipped();
    // A copy of the account's database (db-worker/snapshot.ts) is placed the same way, under a
    // marker the caller keeps outside the file: cut short, it is no database and is written over.
    if (size > 0 && !copyWasBeingPlaced && !isCutShortPlacement(vfs, size, file)) return false;
    try {
      empty(vfs);
      // The header string zero, then the rest as it is (not a copy of the whole file: a copy of
      // the account's database can be 192 MiB).
      check(vfs.xWrite(FILE_ID, new Uint8Array(HEADER_STRING_BYTES), 0), "write");
      check(vfs.xWrite(FILE_ID, file.subarray(HEADER_STRING_BYTES), HEADER_STRING_BYTES), "write");
      check(vfs.xSync(FILE_ID, SQLite.SQLITE_SYNC_FULL), "flush");
      check(vfs.xWrite(FILE_ID, file.subarray(0, HEADER_STRING_BYTES), 0), "write");
      check(vfs.xSync(FILE_ID, SQLite.SQLITE_SYNC_FULL), "flush");
      return true;
    } catch (error) {
      try {
        empty(vfs);
      } catch {
        // Left cut short: the next open recognises it and writes it again.
      }
      throw error;
    }
  } finally {
    vfs.xClose(FILE_ID);
  }
}

/** The open file's first bytes are still zero: it is no database SQLite wrote (every one starts with its header string). */
function headerStringIsZero(vfs: FileVfs, size: number): boolean {
  const head = new Uint8Array(Math.min(size, HEADER_STRING_BYTES));
  return vfs.xRead(FILE_ID, head, 0) === SQLite.SQLITE_OK && head.every((byte) => byte === 0);
}

/**
 * A file this function began and did not finish (its header string is zero): every other byte
 * the shipped file's or a zero (a write cut short may leave the file longer than what reached it).
 */
function isCutShortPlacement(vfs: FileVfs, size: number, file: Uint8Array): boolean {
  if (size > file.length) return false;
  const held = new Uint8Array(size);
  if (vfs.xRead(FILE_ID, held, 0) !== SQLite.SQLITE_OK) return false;
  return held.every((byte, i) => byte === 0 || (i >= HEADER_STRING_BYTES && byte === file[i]));
}

/**
 * Empties the file placed by this open again, when SQLite then failed to open it: a new device
 * holds nothing of the person's, and an empty file lets the app try the next storage instead of
 * reporting notes it does not have.
 */
export function unplaceEmptyDatabase(vfs: FileVfs, name: string): void {
  const out = new DataView(new ArrayBuffer(8));
  if (vfs.xOpen(name, FILE_ID, MAIN_DB, out) !== SQLite.SQLITE_OK) return;
  try {
    empty(vfs);
  } finally {
    vfs.xClose(FILE_ID);
  }
}
