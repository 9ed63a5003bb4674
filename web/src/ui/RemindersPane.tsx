import { createSignal, For, onCleanup, Show } from "solid-js";
import { createLiveQuery } from "../db/live";
import { markDone, upcomingReminders, type UpcomingReminder } from "../reminders/remindersRepo";
import { createAction } from "./action";
import { useDb } from "./dbContext";
import { ErrorText } from "./ErrorText";
import { notificationState, type NotificationState } from "../reminders/notify";

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
    <section class="list-pane" aria-label="Reminders">
      <h2>Reminders</h2>
      <Show when={permission() === "default"}>
        <p class="muted">
          CoBrain can show a notification when a reminder is due (without one, a banner in the app shows it).{" "}
          <button type="button" onClick={() => void Notification.requestPermission().then(setPermission)}>
            Allow notifications
          </button>
        </p>
      </Show>
      <Show when={(reminders.data() ?? []).length > 0} fallback={<p class="empty">No reminders. Add one from a note.</p>}>
        <ul class="reminder-list" aria-label="Upcoming reminders">
          <For each={reminders.data()}>
            {(r: UpcomingReminder) => (
              <li classList={{ overdue: r.dueAt <= now() }}>
                <button type="button" class="link" onClick={() => props.onOpen(r.noteId)}>
                  {r.noteTitle || "Untitled"}
                </button>{" "}
                <time dateTime={new Date(r.dueAt).toISOString()}>{new Date(r.dueAt).toLocaleString()}</time>
                {r.dueAt <= now() ? " · due" : ""}{" "}
                <button type="button" onClick={() => void marking.run(() => markDone(db, r.id))}>
                  Done
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
