/**
 * What the sync transport needs of the outside world, as seams: a socket and the network's
 * online/offline signal. The browser implementations are the defaults (and e2e/sync.test.ts runs
 * them against the real Worker); transport.test.ts drives the transport through fakes of these.
 */

/** The events of one socket, delivered by its implementation. */
export interface SocketEvents {
  open(): void;
  message(data: unknown): void;
  close(code: number, reason: string): void;
}

/** One connection to the sync server. */
export interface SyncSocket {
  /** Open and able to send. */
  readonly isOpen: boolean;
  /** Bytes queued and not yet sent. */
  readonly bufferedAmount: number;
  send(frame: Uint8Array<ArrayBuffer>): void;
  close(code: number, reason: string): void;
}

/** Opens a socket to `url` offering exactly `protocol`; may throw (e.g. a malformed URL). */
export type SocketFactory = (url: string, protocol: string, events: SocketEvents) => SyncSocket;

export const browserSocket: SocketFactory = (url, protocol, events) => {
  const socket = new WebSocket(url, [protocol]);
  socket.binaryType = "arraybuffer";
  socket.onopen = () => events.open();
  socket.onmessage = (event) => events.message(event.data);
  socket.onclose = (event) => events.close(event.code, event.reason);
  return {
    get isOpen() {
      return socket.readyState === WebSocket.OPEN;
    },
    get bufferedAmount() {
      return socket.bufferedAmount;
    },
    send: (frame) => socket.send(frame),
    close: (code, reason) => socket.close(code, reason),
  };
};

/** Whether the device is online, and word when that changes. */
export interface NetworkSignal {
  readonly online: boolean;
  /** Calls `onChange` on every change until the returned function is called. */
  watch(onChange: (online: boolean) => void): () => void;
}

export const browserNetwork: NetworkSignal = {
  get online() {
    return navigator.onLine;
  },
  watch(onChange) {
    const online = () => onChange(true);
    const offline = () => onChange(false);
    addEventListener("online", online);
    addEventListener("offline", offline);
    return () => {
      removeEventListener("online", online);
      removeEventListener("offline", offline);
    };
  },
};
