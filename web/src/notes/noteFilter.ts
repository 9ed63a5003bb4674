/** What a list or a saved view shows (its own file: the worker-side list code needs the type without the notes repository's UI texts). */
export interface NoteFilter {
  /** "active" (default), "archived", "trash", or "notTrashed" (active and archived: a tag's page). */
  section?: "active" | "archived" | "trash" | "notTrashed";
  pinnedOnly?: boolean;
  /** Entity ids (tags, people): a note must mention all of them. */
  entityIds?: string[];
  /** Words the note must contain (full-text, each word a prefix). */
  text?: string;
  /** Last edited within [from, to] (ms). */
  from?: number;
  to?: number;
}

/** The columns each section filters on: in the trash or not, and `archived` where the section names it. */
export const SECTIONS: Record<NonNullable<NoteFilter["section"]>, { trashed: boolean; archived?: 0 | 1 }> = {
  active: { trashed: false, archived: 0 },
  archived: { trashed: false, archived: 1 },
  trash: { trashed: true },
  notTrashed: { trashed: false },
};
