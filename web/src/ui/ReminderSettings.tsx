import { createSignal, Match, Switch } from "solid-js";
import { alertsOnThisDevice, setAlertsOnThisDevice } from "../reminders/alertState";
import { notificationState, type NotificationState } from "../reminders/notify";
import { t } from "../i18n/i18n";

/** Which devices alert: each decides for itself. And what an alert looks like here. */
export function ReminderSettings() {
  const [alertHere, setAlertHere] = createSignal(alertsOnThisDevice());
  const [permission, setPermission] = createSignal<NotificationState>(notificationState());
  return (
    <section class="panel" aria-labelledby="reminder-settings-title">
      <h2 id="reminder-settings-title">{t("common.reminders")}</h2>
      <label class="inline">
        <input
          type="checkbox"
          checked={alertHere()}
          onChange={(e) => {
            setAlertsOnThisDevice(e.currentTarget.checked);
            setAlertHere(e.currentTarget.checked);
          }}
        />{" "}
        {t("reminderSettings.alertHere")}
      </label>
      <p class="muted">
        {t("reminderSettings.explain")}
      </p>
      <p data-notification-state={permission()}>
        <Switch>
          <Match when={permission() === "granted"}>{t("reminderSettings.granted")}</Match>
          <Match when={permission() === "denied"}>{t("reminderSettings.denied")}</Match>
          <Match when={permission() === "unsupported"}>{t("reminderSettings.unsupported")}</Match>
          <Match when={permission() === "default"}>
            {t("reminderSettings.default")}{" "}
            <button type="button" onClick={() => void Notification.requestPermission().then(setPermission)}>
              {t("common.allowNotifications")}
            </button>
          </Match>
        </Switch>
      </p>
    </section>
  );
}
