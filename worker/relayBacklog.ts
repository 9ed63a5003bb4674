/**
 * Outbound: streaming the log to one device, after its cursor, in bounded frames.
 *
 * Rules the stock client relies on: `db_version` := the log's seq, strictly ascending, so the
 * device's cursor for the server is simply the last seq it applied; `since` of each frame is the
 * previous frame's last seq; a device never receives its own changes back; no empty frames.
 */
import { encode, tags, type Change } from "@vlcn.io/ws-common";
import { BACKLOG_PAGE_BYTES, BACKLOG_PAGE_CHANGES, BACKLOG_PAGE_ROWS, OUTBOUND_FRAME_TARGET_BYTES } from "../shared/constants";
import type { ChangeLogStore, LogEntry } from "./changeLogStore";
import type { RelaySocket, SocketState } from "./relaySocket";
import { changeWireSize } from "../shared/wireSize";

export const toHex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
export const fromHex = (hex: string) => new Uint8Array(hex.match(/../g)!.map((h) => parseInt(h, 16)));

/** Upper estimate of an entry's encoded size, by the same rule the devices use to cut their frames. */
export const entryWireSize = (entry: LogEntry) => changeWireSize(entry.table, entry.pk, entry.cid, entry.value);

/** Cuts entries into frames of at most OUTBOUND_FRAME_TARGET_BYTES (estimated), at least one entry each. */
export function cutFrames(entries: readonly LogEntry[]): LogEntry[][] {
  const frames: LogEntry[][] = [];
  let frame: LogEntry[] = [];
  let size = 0;
  for (const entry of entries) {
    const entrySize = entryWireSize(entry);
    if (frame.length > 0 && size + entrySize > OUTBOUND_FRAME_TARGET_BYTES) {
      frames.push(frame);
      frame = [];
      size = 0;
    }
    frame.push(entry);
    size += entrySize;
  }
  if (frame.length > 0) frames.push(frame);
  return frames;
}

/** True while the socket's unacknowledged page is full: nothing more goes out until it acknowledges. */
export const pageFull = (state: SocketState) => state.unackedBytes >= BACKLOG_PAGE_BYTES || state.unackedChanges >= BACKLOG_PAGE_CHANGES;

/**
 * Sends the socket what follows its cursor that it did not write itself, up to one page:
 * BACKLOG_PAGE_BYTES (estimated) and BACKLOG_PAGE_CHANGES since its last acknowledgement. The
 * rest waits for the device's next Ping (`acknowledge`), so serving a huge backlog is many
 * small invocations. Reads the log BACKLOG_PAGE_ROWS at a time, advances the cursor per frame,
 * and writes the state back once. Returns true when the page filled up with more to send.
 */
export function flushBacklog(store: ChangeLogStore, socket: RelaySocket, state: SocketState, now = Date.now()): boolean {
  const site = fromHex(state.site!);
  const before = JSON.stringify(state);
  let stoppedShort = false; // entries were read that did not fit in the page
  while (!pageFull(state)) {
    const limit = Math.min(BACKLOG_PAGE_ROWS, BACKLOG_PAGE_CHANGES - state.unackedChanges);
    const head = store.head;
    const entries = store.readSince(Math.max(state.cursor, state.ownUntil ?? 0), site, limit);
    const fitting = withinBytes(entries, BACKLOG_PAGE_BYTES - state.unackedBytes, state.unackedBytes === 0);
    for (const frame of cutFrames(fitting)) sendChanges(store, socket, state, frame);
    stoppedShort = fitting.length < entries.length;
    if (stoppedShort) break;
    if (entries.length < limit) {
      // Read to the head and all sent: whatever else lies before the head is the device's own.
      state.ownUntil = head;
      break;
    }
  }
  // A full page may hide more (or not): either way the device waits for its acknowledgement.
  const waiting = stoppedShort || pageFull(state);
  if (waiting && state.waitingSince === 0) state.waitingSince = now;
  if (JSON.stringify(state) !== before) socket.writeState(state);
  return waiting;
}

/** The device applied (or at least received) what it was sent: its next page may go out. */
export function acknowledge(state: SocketState): void {
  state.unackedBytes = 0;
  state.unackedChanges = 0;
  state.waitingSince = 0;
}

/**
 * The leading entries whose estimated size fits in `budget` bytes. On an empty page the first
 * entry goes even if it is larger (one cell is at most a frame), or the device would never get it.
 */
function withinBytes(entries: readonly LogEntry[], budget: number, emptyPage: boolean): LogEntry[] {
  let size = 0;
  let count = 0;
  for (const entry of entries) {
    size += entryWireSize(entry);
    if (size > budget && !(count === 0 && emptyPage)) break;
    count++;
  }
  return entries.slice(0, count);
}

function sendChanges(store: ChangeLogStore, socket: RelaySocket, state: SocketState, entries: LogEntry[]): void {
  // site_id null: the device attributes the change to the frame's sender, the server.
  const changes: Change[] = entries.map((e) => [e.table, e.pk, e.cid, e.value, BigInt(e.colVersion), BigInt(e.seq), null, BigInt(e.cl), 0]);
  socket.send(encode({ _tag: tags.Changes, sender: store.serverSiteId, since: [BigInt(state.cursor), 0], changes }));
  state.cursor = entries[entries.length - 1]!.seq;
  state.unackedBytes += entries.reduce((n, e) => n + entryWireSize(e), 0);
  state.unackedChanges += entries.length;
}
