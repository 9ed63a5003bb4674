import { createEffect, createSignal, For, on, onCleanup, onMount } from "solid-js";
import { createLiveQuery } from "../db/live";
import { alertsOnThisDevice, takeDueReminders } from "../reminders/alertState";
import { notifyReminder } from "../reminders/notify";
import { listenForNotificationClicks } from "../reminders/openFromNotification";
import type { UpcomingReminder } from "../reminders/remindersRepo";
import { useDb } from "./dbContext";
import { t } from "../i18n/i18n";

/** A reminder that falls due between two database changes is still noticed within this. */
const CHECK_EVERY_MS = 15_000;

/**
 * Alerts for reminders while the app is open, and at the next open for those that fell due while
 * it was closed: a system notification when allowed, otherwise a banner here. Once per reminder
 * and device, only on devices set to alert (Settings → Reminders).
 */
export function ReminderAlerts(props: { onOpen: (noteId: string) => void }) {
  // Its code (and Drizzle's) is not in the first paint: a reminder due at start shows a moment after the list.
  const reminders = createLiveQuery(useDb().client, async (d) => (await import("../reminders/remindersRepo")).upcomingReminders(d));
  const [banners, setBanners] = createSignal<UpcomingReminder[]>([]);
  const check = () => {
    const pending = reminders.data();
    if (!pending || !alertsOnThisDevice()) return;
    for (const r of takeDueReminders(pending, Date.now())) {
      void notifyReminder(r).then((shown) => {
        if (!shown) setBanners((list) => [...list.filter((b) => b.id !== r.id), r]);
      });
    }
  };
  createEffect(on(reminders.data, check)); // a reminder added already due alerts at once
  const timer = setInterval(check, CHECK_EVERY_MS);
  onCleanup(() => clearInterval(timer));
  onMount(() => onCleanup(listenForNotificationClicks(props.onOpen)));
  const dismiss = (id: string) => setBanners((list) => list.filter((b) => b.id !== id));

  return (
    <For each={banners()}>
      {(r) => (
        <div class="banner banner-info reminder-banner" role="status">
          {t("reminders.alert", { title: r.noteTitle || t("common.untitledNote") })}{" "}
          <button
            type="button"
            onClick={() => {
              dismiss(r.id);
              props.onOpen(r.noteId);
            }}
          >
            {t("reminders.open")}
          </button>{" "}
          <button type="button" class="ghost" aria-label={t("common.dismiss")} onClick={() => dismiss(r.id)}>
            ✕
          </button>
        </div>
      )}
    </For>
  );
}

