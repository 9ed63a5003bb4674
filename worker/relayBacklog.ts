/**
 * Outbound: streaming the log to one device, after its cursor, in bounded frames.
 *
 * Rules the stock client relies on: `db_version` := the log's seq, strictly ascending, so the
 * device's cursor for the server is simply the last seq it applied; `since` of each frame is the
 * previous frame's last seq; a device never receives its own changes back; no empty frames.
 */
import { encode, tags, type Change } from "@vlcn.io/ws-common";
import { BACKLOG_PAGE_ROWS, OUTBOUND_FRAME_TARGET_BYTES } from "../shared/constants";
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

/**
 * Sends the socket every entry after its cursor that it did not write itself, reading the log
 * BACKLOG_PAGE_ROWS at a time so a 10k-note catch-up is never one huge array. Advances the
 * cursor per frame sent, and writes it back to the socket once.
 */
export function flushBacklog(store: ChangeLogStore, socket: RelaySocket, state: SocketState): void {
  const site = fromHex(state.site!);
  const start = state.cursor;
  for (;;) {
    const entries = store.readSince(state.cursor, site, BACKLOG_PAGE_ROWS);
    for (const frame of cutFrames(entries)) sendChanges(store, socket, state, frame);
    if (entries.length < BACKLOG_PAGE_ROWS) break;
  }
  if (state.cursor !== start) socket.writeState(state);
}

function sendChanges(store: ChangeLogStore, socket: RelaySocket, state: SocketState, entries: LogEntry[]): void {
  // site_id null: the device attributes the change to the frame's sender, the server.
  const changes: Change[] = entries.map((e) => [e.table, e.pk, e.cid, e.value, BigInt(e.colVersion), BigInt(e.seq), null, BigInt(e.cl), 0]);
  socket.send(encode({ _tag: tags.Changes, sender: store.serverSiteId, since: [BigInt(state.cursor), 0], changes }));
  state.cursor = entries[entries.length - 1]!.seq;
}
