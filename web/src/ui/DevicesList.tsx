import { createResource, createSignal, For, Show } from "solid-js";
import type { ApiDevice } from "../../../shared/api";
import { answer } from "../api/serverApi";
import { createAction } from "./action";
import { useDb } from "./dbContext";
import { ErrorText } from "./ErrorText";
import { formatDateTime, t } from "../i18n/i18n";

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
    const name = prompt(t("devices.namePrompt"), d.name || d.deviceId);
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
    if (confirm(t("devices.revokeConfirm", { name }))) {
      void act(() => answer(client.server.api.devices[":id"].$delete({ param: { id: encodeURIComponent(d.deviceId) } }))).then((revoked) => revoked && rotate());
    }
  };

  return (
    <div class="stack">
      <h3>{t("devices.title")}</h3>
      <Show when={devices.error}>
        <p class="error" role="alert">
          {t("devices.couldNotLoad", { error: String((devices.error as Error)?.message ?? devices.error) })}
        </p>
      </Show>
      <ul class="devices" aria-label={t("devices.title")}>
        <For each={devices()}>
          {(d) => (
            <li class="device" data-device-id={d.deviceId} classList={{ revoked: d.revokedAt !== null }}>
              <span>
                <strong>{d.name || d.deviceId}</strong> {d.current ? t("devices.thisDevice") : ""}
                <span class="muted">
                  {" "}
                  · {d.platform || t("devices.unknown")} · {d.revokedAt !== null ? t("devices.revoked") : t("devices.lastSeen", { when: formatDateTime(d.lastSeen) })}
                </span>
              </span>
              <span class="device-actions">
                <button type="button" onClick={() => rename(d)} aria-label={t("devices.renameLabel", { name: d.name || d.deviceId })}>
                  {t("devices.rename")}
                </button>
                <Show when={!d.current && d.revokedAt === null}>
                  <button type="button" class="danger" onClick={() => revoke(d)} aria-label={t("devices.revokeLabel", { name: d.name || d.deviceId })}>
                    {t("devices.revoke")}
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
          {t("devices.rotate")}
        </button>
      </Show>
    </div>
  );
}
