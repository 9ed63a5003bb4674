/** The note list's row geometry, shared by the list (ui/VirtualNoteList.tsx) and its browser test. */

/** A row's height before it is measured (title and snippet lines, padding, border). */
export const ESTIMATED_ROW_PX = 62;
/** Space between two rows. */
export const ROW_GAP_PX = 8;
