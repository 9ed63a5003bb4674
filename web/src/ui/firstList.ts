/**
 * Whether the note list has drawn its first answer (rows, its empty message, or its error). The
 * start's deferred work (App.tsx) waits for it: begun as soon as the database opened, the other
 * screens' code took the main thread while the list's answer waited to be drawn.
 */
import { createRoot, createSignal } from "solid-js";

const [drawn, setDrawn] = createRoot(() => createSignal(false));

export const firstListDrawn = drawn;

/** Asked once: a plain flag, so the caller's effect does not come to depend on `drawn`. */
let marked = false;

/** Called by the list once its first answer is on screen; counts after the next frame is drawn. */
export function markFirstListDrawn(): void {
  if (marked) return;
  marked = true;
  requestAnimationFrame(() => setTimeout(() => setDrawn(true), 0));
}
