/**
 * Shows a reminder as a system notification through the service worker registration: the only way
 * Android Chrome allows (it refuses `new Notification()` in a page), and the one whose click the
 * service worker can turn into opening the note (public/reminder-sw.js).
 */
import type { UpcomingReminder } from "./remindersRepo";
import { t } from "../i18n/i18n";

export type NotificationState = NotificationPermission | "unsupported";

export function notificationState(): NotificationState {
  return typeof Notification === "undefined" || !("serviceWorker" in navigator) ? "unsupported" : Notification.permission;
}

/** True when the system shows it; false means the caller shows an in-app banner instead. */
export async function notifyReminder(r: UpcomingReminder): Promise<boolean> {
  if (notificationState() !== "granted") return false;
  try {
    const registration = await navigator.serviceWorker.getRegistration();
    if (!registration) return false; // no service worker (a development server): the banner shows it
    await registration.showNotification(t("reminders.notificationTitle"), { body: r.noteTitle || t("common.untitledNote"), tag: r.id, data: { noteId: r.noteId } });
    return true;
  } catch {
    return false;
  }
}
