import { createEffect, createSignal, For, on, onCleanup, Show } from "solid-js";
import { createLiveQuery } from "../db/live";
import { markDone, upcomingReminders, type UpcomingReminder } from "../reminders/remindersRepo";
import { createAction } from "./action";
import { useDb } from "./dbContext";
import { ErrorText } from "./ErrorText";

/** Upcoming reminders, soonest first; overdue ones are marked. */
export function RemindersPane(props: { onOpen: (noteId: string) => void }) {
  const { client, db } = useDb();
  const reminders = createLiveQuery(client, (d) => upcomingReminders(d));
  const [now, setNow] = createSignal(Date.now());
  const timer = setInterval(() => setNow(Date.now()), 30_000);
  onCleanup(() => clearInterval(timer));
  const marking = createAction();
  const [permission, setPermission] = createSignal(typeof Notification === "undefined" ? "unsupported" : Notification.permission);
  return (
    <section class="list-pane" aria-label="Reminders">
      <h2>Reminders</h2>
      <Show when={permission() === "default"}>
        <p class="muted">
          CoBrain can show a notification when a reminder is due while the app is open.{" "}
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

/** While the app is open: notifies (or shows a banner) when a reminder falls due, once each. */
export function useReminderAlerts(onDue: (r: UpcomingReminder) => void): void {
  const seen = new Set<string>();
  const reminders = createLiveQuery(useDb().client, (d) => upcomingReminders(d));
  const check = () => {
    for (const r of reminders.data() ?? []) {
      if (r.dueAt > Date.now() || seen.has(r.id)) continue;
      seen.add(r.id);
      onDue(r);
      if (typeof Notification !== "undefined" && Notification.permission === "granted") {
        new Notification("CoBrain reminder", { body: r.noteTitle || "Untitled note", tag: r.id });
      }
    }
  };
  createEffect(on(reminders.data, check)); // a reminder added already due alerts at once
  const timer = setInterval(check, 15_000);
  onCleanup(() => clearInterval(timer));
}
