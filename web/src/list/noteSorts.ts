/** The note list's orders; apart from the list's query so the first paint needs no Drizzle. */
export const NOTE_SORTS = ["edited", "created", "title"] as const;
export type NoteSort = (typeof NOTE_SORTS)[number];
