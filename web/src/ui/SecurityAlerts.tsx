/**
 * Tells the user, on every device, what the server noticed about their account (e.g. a device's
 * sign-in used twice, so it was revoked). Checked each time sync comes up; a dismissed alert
 * stays dismissed on this device.
 */
import { createEffect, createSignal, For, on, Show, type Accessor } from "solid-js";
import type { SecurityAlert } from "../../../shared/api";
import type { SyncStatus } from "../../../shared/syncStatus";
import { SECURITY_ALERTS_CHECK_MS } from "../../../shared/constants";
import { answer } from "../api/serverApi";
import { useDb } from "./dbContext";
import { t } from "../i18n/i18n";

const DISMISSED_KEY = "cobrain.dismissedAlert";

export function SecurityAlerts(props: { sync: Accessor<SyncStatus> }) {
  const { client } = useDb();
  const [alerts, setAlerts] = createSignal<SecurityAlert[]>([]);
  const dismissed = () => Number(localStorage.getItem(DISMISSED_KEY) ?? 0);
  let lastCheck = 0;
  createEffect(
    on(
      () => props.sync().state === "synced",
      (synced) => {
        // Every edit ends in "synced": ask on the first one, then now and then.
        if (!synced || Date.now() - lastCheck < SECURITY_ALERTS_CHECK_MS) return;
        lastCheck = Date.now();
        answer(client.server.api.alerts.$get()).then(
          (list) => setAlerts(list.filter((a) => a.id > dismissed())),
          () => undefined, // offline or signed out meanwhile: next time
        );
      },
    ),
  );
  const dismiss = () => {
    localStorage.setItem(DISMISSED_KEY, String(Math.max(...alerts().map((a) => a.id))));
    setAlerts([]);
  };
  return (
    <Show when={alerts().length > 0}>
      <div class="banner banner-warning security-alert" role="alert">
        <For each={alerts()}>{(alert) => <p>{alert.message}</p>}</For>
        <button type="button" class="ghost" onClick={dismiss}>
          {t("security.gotIt")}
        </button>
      </div>
    </Show>
  );
}
