/**
 * The SyncTransport a Node bench device uses, wired as the app's database worker wires it
 * (web/src/sync/syncClient.ts): a dropped connection forgets what was unacknowledged, an
 * acknowledgement makes sent text the merge ancestors, and a failure is handed to the device.
 */
import type { SyncDb } from "../web/src/sync/syncDb.ts";
import { SyncTransport } from "../web/src/sync/transport.ts";

type TransportOptions = ConstructorParameters<typeof SyncTransport>[0];

const alwaysOnline = { online: true, watch: () => () => {} };

export function benchTransport(
  syncDb: SyncDb,
  options: Pick<TransportOptions, "serverUrl" | "room" | "getToken" | "accountKey">,
  onFailure: (reason: string) => void,
): SyncTransport {
  const transport: SyncTransport = new SyncTransport({
    ...options,
    lastSeens: () => syncDb.getLastSeens(),
    onState: (state) => {
      if (state.kind === "failed") onFailure(state.reason);
      if (state.kind !== "open") syncDb.forgetUnacknowledged();
    },
    onStreaming: () => {},
    onAck: () => {
      if (!transport.unacknowledged) void syncDb.acknowledgeSent().catch(() => undefined);
    },
    onApplyError: (error) => onFailure(String(error)),
    network: alwaysOnline,
  });
  return transport;
}
