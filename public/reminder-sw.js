/*
 * Reminder notifications, imported into the Workbox service worker (vite.config.ts,
 * `workbox.importScripts`). A click on a reminder opens its note: in an open window of the app
 * if there is one (the page opens the note on this message,
 * web/src/reminders/openFromNotification.ts), else in a new window at the note's own URL.
 */
const OPEN_NOTE_MESSAGE = "cobrain:open-note";

async function cobrainOpenNote(noteId) {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const open = windows.find((c) => c.focused) ?? windows[0];
  if (open) {
    // Focus is only allowed during a notification click; the note opens either way.
    await open.focus().catch(() => undefined);
    open.postMessage({ type: OPEN_NOTE_MESSAGE, noteId });
    return;
  }
  await self.clients.openWindow(noteId ? `/notes/${encodeURIComponent(noteId)}` : "/");
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(cobrainOpenNote(event.notification.data && event.notification.data.noteId));
});

// The end-to-end test calls this directly: automation cannot click a system notification.
self.cobrainOpenNote = cobrainOpenNote;
