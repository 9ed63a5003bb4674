import { describe, expect, it } from "vitest";
import { alertsOnThisDevice, setAlertsOnThisDevice, takeDueReminders } from "./alertState";
import type { UpcomingReminder } from "./remindersRepo";

function memoryStore() {
  const values = new Map<string, string>();
  return { getItem: (k: string) => values.get(k) ?? null, setItem: (k: string, v: string) => void values.set(k, v), values };
}
const reminder = (id: string, dueAt: number): UpcomingReminder => ({ id, noteId: `note-${id}`, noteTitle: id, dueAt, doneAt: null });

describe("reminder alerts on this device", () => {
  it("alerts each due reminder once, across restarts, and one that came due while closed at the next open", () => {
    const store = memoryStore();
    const pending = [reminder("past", 100), reminder("later", 5_000)];
    expect(takeDueReminders(pending, 1_000, store).map((r) => r.id)).toEqual(["past"]);
    expect(takeDueReminders(pending, 2_000, store)).toEqual([]); // a reload: not again
    // Closed until after "later" fell due: the next open alerts it.
    expect(takeDueReminders(pending, 9_000, store).map((r) => r.id)).toEqual(["later"]);
    expect(takeDueReminders(pending, 10_000, store)).toEqual([]);
  });

  it("alerts again for a reminder moved to a new time, and forgets reminders no longer pending", () => {
    const store = memoryStore();
    takeDueReminders([reminder("a", 100), reminder("b", 100)], 1_000, store);
    expect(takeDueReminders([reminder("a", 500)], 1_000, store).map((r) => r.id)).toEqual(["a"]);
    expect(JSON.parse(store.values.get("cobrain.reminders.alerted")!)).toEqual(["a@500"]);
  });

  it("survives a damaged record by alerting again", () => {
    const store = memoryStore();
    store.setItem("cobrain.reminders.alerted", "{not json");
    expect(takeDueReminders([reminder("a", 1)], 2, store).map((r) => r.id)).toEqual(["a"]);
  });

  it("alerts on this device unless turned off here", () => {
    const store = memoryStore();
    expect(alertsOnThisDevice(store)).toBe(true);
    setAlertsOnThisDevice(false, store);
    expect(alertsOnThisDevice(store)).toBe(false);
    setAlertsOnThisDevice(true, store);
    expect(alertsOnThisDevice(store)).toBe(true);
  });
});
