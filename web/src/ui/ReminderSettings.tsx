import { createSignal, Match, Switch } from "solid-js";
import { alertsOnThisDevice, setAlertsOnThisDevice } from "../reminders/alertState";
import { notificationState, type NotificationState } from "../reminders/notify";

/** Which devices alert: each decides for itself. And what an alert looks like here. */
export function ReminderSettings() {
  const [alertHere, setAlertHere] = createSignal(alertsOnThisDevice());
  const [permission, setPermission] = createSignal<NotificationState>(notificationState());
  return (
    <section class="panel" aria-labelledby="reminder-settings-title">
      <h2 id="reminder-settings-title">Reminders</h2>
      <label class="inline">
        <input
          type="checkbox"
          checked={alertHere()}
          onChange={(e) => {
            setAlertsOnThisDevice(e.currentTarget.checked);
            setAlertHere(e.currentTarget.checked);
          }}
        />{" "}
        Alert on this device
      </label>
      <p class="muted">
        Each of your devices has this setting: every device where it is on alerts when a reminder falls due (or, if it was closed then, the next
        time it opens), once per reminder. Turn it off on devices where you do not want alerts, for example a shared computer.
      </p>
      <p data-notification-state={permission()}>
        <Switch>
          <Match when={permission() === "granted"}>Alerts here are system notifications; clicking one opens the note.</Match>
          <Match when={permission() === "denied"}>Notifications are blocked for CoBrain in this browser, so alerts show as a banner in the app.</Match>
          <Match when={permission() === "unsupported"}>This browser cannot show notifications, so alerts show as a banner in the app.</Match>
          <Match when={permission() === "default"}>
            Alerts show as a banner in the app.{" "}
            <button type="button" onClick={() => void Notification.requestPermission().then(setPermission)}>
              Allow notifications
            </button>
          </Match>
        </Switch>
      </p>
    </section>
  );
}
