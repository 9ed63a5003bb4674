/**
 * Which reminders this device alerts for, and which it already has. Each device decides for itself
 * (Settings → Reminders, "Alert on this device"), so a person chooses their phone and not their
 * laptop. Both are device state, not synced: kept in localStorage.
 */
import type { UpcomingReminder } from "./remindersRepo";

const ALERT_HERE_KEY = "cobrain.reminders.alertHere";
const ALERTED_KEY = "cobrain.reminders.alerted";

type KeyValueStore = Pick<Storage, "getItem" | "setItem">;

/** A reminder moved to a new time alerts again: the key holds the due time too. */
export const alertKey = (r: Pick<UpcomingReminder, "id" | "dueAt">) => `${r.id}@${r.dueAt}`;

export function alertsOnThisDevice(store: KeyValueStore | undefined = globalThis.localStorage): boolean {
  return store?.getItem(ALERT_HERE_KEY) !== "off";
}

export function setAlertsOnThisDevice(on: boolean, store: KeyValueStore = localStorage): void {
  store.setItem(ALERT_HERE_KEY, on ? "on" : "off");
}

/**
 * The reminders due by `now` not alerted yet on this device, and marks them alerted (so a reload
 * or a second tab does not alert again). Keys of reminders no longer pending are dropped, so the
 * record stays as small as the pending list.
 */
export function takeDueReminders(pending: UpcomingReminder[], now: number, store: KeyValueStore | undefined = globalThis.localStorage): UpcomingReminder[] {
  if (!store) return pending.filter((r) => r.dueAt <= now);
  let alerted: string[] = [];
  try {
    const saved: unknown = JSON.parse(store.getItem(ALERTED_KEY) ?? "[]");
    if (Array.isArray(saved)) alerted = saved.filter((k): k is string => typeof k === "string");
  } catch {
    // A damaged record: alerting again beats never alerting.
  }
  const done = new Set(alerted);
  const due = pending.filter((r) => r.dueAt <= now && !done.has(alertKey(r)));
  const stillPending = new Set(pending.map(alertKey));
  const keep = [...alerted.filter((k) => stillPending.has(k)), ...due.map(alertKey)];
  if (due.length > 0 || keep.length !== alerted.length) {
    try {
      store.setItem(ALERTED_KEY, JSON.stringify(keep));
    } catch {
      // Storage full or blocked: the alert still shows now.
    }
  }
  return due;
}
