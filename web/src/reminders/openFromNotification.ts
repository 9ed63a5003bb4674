/**
 * A click on a reminder notification opens its note (public/reminder-sw.js): by a message to an
 * open window, or by opening the app at `/?open-note=ID`.
 */
export const OPEN_NOTE_MESSAGE = "cobrain:open-note";
export const OPEN_NOTE_PARAM = "open-note";

/** Calls `open` for the note named in the address (once; the parameter is removed) and for each click later. */
export function listenForNotificationClicks(open: (noteId: string) => void): () => void {
  const url = new URL(location.href);
  const id = url.searchParams.get(OPEN_NOTE_PARAM);
  if (id) {
    url.searchParams.delete(OPEN_NOTE_PARAM);
    history.replaceState(history.state, "", url);
    open(id);
  }
  if (!("serviceWorker" in navigator)) return () => undefined;
  const onMessage = (event: MessageEvent) => {
    const data = event.data as { type?: string; noteId?: unknown } | null;
    if (data?.type === OPEN_NOTE_MESSAGE && typeof data.noteId === "string") open(data.noteId);
  };
  navigator.serviceWorker.addEventListener("message", onMessage);
  return () => navigator.serviceWorker.removeEventListener("message", onMessage);
}
