/**
 * Where the user is: which section is shown, which note is open beside it, which tag or person
 * page, and what is typed in the search box. Plain signals and the moves between them, kept out
 * of the components so a router (issue 15) can later drive the same moves from the URL.
 */
import { batch, createSignal, type Accessor } from "solid-js";

export type Section = "active" | "archived" | "trash" | "reminders" | "views" | "settings" | "entity";

export interface Navigation {
  section: Accessor<Section>;
  /** The note open in the editor, if any; it shows beside whichever list is shown. */
  note: Accessor<string | undefined>;
  /** The tag, person or link target whose page the "entity" section shows. */
  entity: Accessor<string | undefined>;
  /** The search box's text, as typed. */
  query: Accessor<string>;
  /** True while the search box holds more than spaces: results replace the section's list. */
  searching: Accessor<boolean>;
  /** The next editor to open should put the cursor in the title (a note just made from the keyboard). */
  focusTitle: Accessor<boolean>;

  /** Shows a section and leaves search; the open note stays open. */
  openSection(section: Section): void;
  /** Settings if elsewhere, the notes if already there (the sync indicator's click). */
  toggleSettings(): void;
  /** Shows the page of a tag, person or link target, leaving search. */
  openEntity(id: string): void;
  openNote(id: string): void;
  /** Opens a note just created, in the notes section, with the cursor in its title. */
  openNewNote(id: string): void;
  /** Closes the open note (the editor's ← button and Escape). */
  back(): void;
  search(query: string): void;
  /** The editor has put the cursor in the title; later editors should not. */
  titleFocused(): void;
}

/** Notes, no note open, no search: where the app starts. */
export function createNavigation(): Navigation {
  const [section, setSection] = createSignal<Section>("active");
  const [note, setNote] = createSignal<string>();
  const [entity, setEntity] = createSignal<string>();
  const [query, setQuery] = createSignal("");
  const [focusTitle, setFocusTitle] = createSignal(false);

  const openSection = (s: Section) =>
    batch(() => {
      setSection(s);
      setQuery("");
    });

  return {
    section,
    note,
    entity,
    query,
    searching: () => query().trim() !== "",
    focusTitle,
    openSection,
    toggleSettings: () => openSection(section() === "settings" ? "active" : "settings"),
    openEntity: (id) =>
      batch(() => {
        setEntity(id);
        openSection("entity");
      }),
    openNote: (id) => setNote(id),
    openNewNote: (id) =>
      batch(() => {
        openSection("active");
        setFocusTitle(true);
        setNote(id);
      }),
    back: () => setNote(undefined),
    search: (q) => setQuery(q),
    titleFocused: () => setFocusTitle(false),
  };
}
