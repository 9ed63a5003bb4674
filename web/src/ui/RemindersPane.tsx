import { createSignal, For, onCleanup, Show } from "solid-js";
import { createLiveQuery } from "../db/live";
import { markDone, upcomingReminders, type UpcomingReminder } from "../reminders/remindersRepo";
import { createAction } from "./action";
import { useDb } from "./dbContext";
import { ErrorText } from "./ErrorText";
import { notificationState, type NotificationState } from "../reminders/notify";
import { formatDateTime, isoDateTime, t } from "../i18n/i18n";

/** Upcoming reminders, soonest first; overdue ones are marked. */
export function RemindersPane(props: { onOpen: (noteId: string) => void }) {
  const { client, db } = useDb();
  const reminders = createLiveQuery(client, (d) => upcomingReminders(d));
  const [now, setNow] = createSignal(Date.now());
  const timer = setInterval(() => setNow(Date.now()), 30_000);
  onCleanup(() => clearInterval(timer));
  const marking = createAction();
  const [permission, setPermission] = createSignal<NotificationState>(notificationState());
  return (
    <section class="list-pane" aria-label={t("common.reminders")}>
      <h2>{t("common.reminders")}</h2>
      <Show when={permission() === "default"}>
        <p class="muted">
          {t("reminders.offer")}{" "}
          <button type="button" onClick={() => void Notification.requestPermission().then(setPermission)}>
            {t("common.allowNotifications")}
          </button>
        </p>
      </Show>
      <Show when={(reminders.data() ?? []).length > 0} fallback={<p class="empty">{t("reminders.none")}</p>}>
        <ul class="reminder-list" aria-label={t("reminders.upcoming")}>
          <For each={reminders.data()}>
            {(r: UpcomingReminder) => (
              <li classList={{ overdue: r.dueAt <= now() }}>
                <button type="button" class="link" onClick={() => props.onOpen(r.noteId)}>
                  {r.noteTitle || t("common.untitled")}
                </button>{" "}
                <time dateTime={isoDateTime(r.dueAt)}>{formatDateTime(r.dueAt)}</time>
                {r.dueAt <= now() ? t("reminders.due") : ""}{" "}
                <button type="button" onClick={() => void marking.run(() => markDone(db, r.id))}>
                  {t("common.done")}
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <ErrorText message={marking.error()} />
    </section>
  );
}
