import { createResource, createSignal, For, Show } from "solid-js";
import type { ApiDevice } from "../../../shared/api";
import { answer } from "../api/serverApi";
import { createAction } from "./action";
import { useDb } from "./dbContext";
import { ErrorText } from "./ErrorText";

/** The user's devices as the server knows them: rename, revoke (its notes stay on it). */
export function DevicesList() {
  const { client } = useDb();
  const [devices, { refetch }] = createResource(() => answer(client.server.api.devices.$get()));
  const acting = createAction();
  const act = (action: () => Promise<unknown>) =>
    acting.run(async () => {
      await action();
      await refetch();
    });
  const rename = (d: ApiDevice) => {
    const name = prompt("Name this device", d.name || d.deviceId);
    if (name?.trim()) void act(() => answer(client.server.api.devices[":id"].$patch({ param: { id: encodeURIComponent(d.deviceId) }, json: { name } })));
  };
  /** After a revoke: the account key changes, so the revoked device cannot read what comes next. */
  const [rotateFailed, setRotateFailed] = createSignal(false);
  const rotate = () =>
    act(async () => {
      setRotateFailed(true);
      await client.accountKey({ action: "rotate" });
      setRotateFailed(false);
    });
  const revoke = (d: ApiDevice) => {
    const name = d.name || d.deviceId;
    if (confirm(`Revoke "${name}"? It stops syncing at once; notes already on it stay there. Your account key then changes, so it cannot read anything written afterwards, and you get a new recovery phrase to write down.`)) {
      void act(() => answer(client.server.api.devices[":id"].$delete({ param: { id: encodeURIComponent(d.deviceId) } }))).then((revoked) => revoked && rotate());
    }
  };

  return (
    <div class="stack">
      <h3>Devices</h3>
      <Show when={devices.error}>
        <p class="error" role="alert">
          Could not load devices: {String((devices.error as Error)?.message ?? devices.error)}
        </p>
      </Show>
      <ul class="devices" aria-label="Devices">
        <For each={devices()}>
          {(d) => (
            <li class="device" data-device-id={d.deviceId} classList={{ revoked: d.revokedAt !== null }}>
              <span>
                <strong>{d.name || d.deviceId}</strong> {d.current ? "(this device)" : ""}
                <span class="muted">
                  {" "}
                  · {d.platform || "unknown"} · {d.revokedAt !== null ? "revoked" : `last seen ${new Date(d.lastSeen).toLocaleString()}`}
                </span>
              </span>
              <span class="device-actions">
                <button type="button" onClick={() => rename(d)} aria-label={`Rename ${d.name || d.deviceId}`}>
                  Rename
                </button>
                <Show when={!d.current && d.revokedAt === null}>
                  <button type="button" class="danger" onClick={() => revoke(d)} aria-label={`Revoke ${d.name || d.deviceId}`}>
                    Revoke
                  </button>
                </Show>
              </span>
            </li>
          )}
        </For>
      </ul>
      <ErrorText message={acting.error()} />
      <Show when={rotateFailed() && !acting.pending()}>
        <button type="button" onClick={() => void rotate()}>
          Change the account key now
        </button>
      </Show>
    </div>
  );
}
