/**
 * A click on a reminder notification opens its note (public/reminder-sw.js): by a message to an
 * open window, or, with no window open, by opening the app at the note's URL (`/notes/ID`, which
 * the router opens by itself).
 */
export const OPEN_NOTE_MESSAGE = "cobrain:open-note";

/** Calls `open` for each click on a reminder while this window is open. */
export function listenForNotificationClicks(open: (noteId: string) => void): () => void {
  if (!("serviceWorker" in navigator)) return () => undefined;
  const onMessage = (event: MessageEvent) => {
    const data = event.data as { type?: string; noteId?: unknown } | null;
    if (data?.type === OPEN_NOTE_MESSAGE && typeof data.noteId === "string") open(data.noteId);
  };
  navigator.serviceWorker.addEventListener("message", onMessage);
  return () => navigator.serviceWorker.removeEventListener("message", onMessage);
}
