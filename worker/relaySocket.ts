/**
 * What the relay needs from one device's connection. The real one is a hibernatable WebSocket in
 * the UserLog Durable Object; relay tests use a fake that records frames.
 */
import { encode, tags } from "@vlcn.io/ws-common";

/** Per-socket state. The real socket keeps it in its attachment (≤ 2 KiB) so it survives hibernation. */
export interface SocketState {
  userId: string;
  deviceId: string;
  /** Hex site id announced by the device; absent until AnnouncePresence. */
  site?: string;
  /** Highest log seq sent on this socket (the `since` of the next frame). */
  cursor: number;
  /**
   * Every entry after `cursor` up to this seq is the device's own push, which it is never sent:
   * reading resumes past them, so a device that pushed a large import does not read over all of it
   * again at every later relay (absent in attachments written before it existed: 0).
   */
  ownUntil?: number;
  /** A re-StartStreaming was sent after a gap; further gapped frames are dropped silently. */
  resetPending: boolean;
  /** The cursor the device last rejected at, and how many times in a row. */
  rejectAt: number;
  rejects: number;
  /** The device keeps rejecting the same data: stop sending it until it reconnects. */
  stalled: boolean;
  /** Estimated bytes and changes sent since the device last acknowledged (its last Ping). */
  unackedBytes: number;
  unackedChanges: number;
  /** When the current page filled up and the socket began waiting for an acknowledgement; 0 if not. */
  waitingSince: number;
  /** Start of the current RejectChanges replay window, and replays in it. */
  replayWindowStart: number;
  replays: number;
}

export interface RelaySocket {
  /** False once the socket is closing or closed: nothing more is sent to it. */
  readonly isOpen: boolean;
  send(frame: Uint8Array): void;
  close(code: number, reason: string): void;
  /** The state as last written; a copy, so write it back after changing it. */
  readState(): SocketState;
  writeState(state: SocketState): void;
}

/** The state of a socket that has just connected and not yet announced itself. */
export const connectedState = (userId: string, deviceId: string): SocketState => ({
  userId,
  deviceId,
  cursor: 0,
  resetPending: false,
  rejectAt: -1,
  rejects: 0,
  stalled: false,
  unackedBytes: 0,
  unackedChanges: 0,
  waitingSince: 0,
  replayWindowStart: 0,
  replays: 0,
});

/** WebSocket close reasons are limited to 123 bytes. */
const reasonText = (reason: string) => (reason.length > 120 ? `${reason.slice(0, 117)}...` : reason);

/** Closes the socket with a typed code (shared/syncProtocol.ts CloseCode) and says why. */
export function refuse(socket: RelaySocket, code: number, reason: string): void {
  // Err frames are ignored by the stock client but show the reason in devtools and in our client.
  try {
    socket.send(encode({ _tag: tags.Err, _reqid: 0, err: reason }));
  } catch {
    // the socket may already be gone
  }
  socket.close(code, reasonText(reason));
}
