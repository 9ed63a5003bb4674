/**
 * Where the user is, as a URL. Every section, note, tag or person page and saved view has a path;
 * the moves between them (openNote, openSection, back, …) push or replace history entries, and
 * what is shown is read back from the location, so the browser's back button, a reload and a
 * bookmark all land where the moves would. Kept apart from the router (a `HistoryPort`) so the
 * rules are unit-tested without a browser.
 *
 * Paths: /notes, /notes/:id, /archive, /trash, /reminders, /views, /views/:viewId, /settings,
 * /tag/:name, /person/:name, /entity/:id, /link/:title (a [[link]] being opened).
 * A note's URL is always /notes/:id; which list shows beside it (the one it was opened from) is
 * kept in the history entry's state, which survives a reload.
 */
import { batch, createSignal, type Accessor } from "solid-js";

export type Section = "active" | "archived" | "trash" | "reminders" | "views" | "settings" | "entity";

export interface Place {
  section: Section;
  /** The note open in the editor. */
  note?: string;
  /** A [[link]] being opened by title (/link/:title): a note that may not exist yet. */
  linkTitle?: string;
  /** /entity/:id */
  entity?: string;
  /** /tag/:name or /person/:name: an entity known by name (its id is derived from it). */
  mention?: { kind: "tag" | "person"; name: string };
  /** /views/:viewId */
  view?: string;
}

/** What a history entry of a note carries: the list beside it, and how to get back to that list. */
export interface NavState {
  /** The path of the list shown beside the note. */
  beside?: string;
  /** How many entries back the list was left (0 or missing: not known; back then replaces). */
  depth?: number;
  /** The path of the list `depth` entries back. */
  base?: string;
}

export interface HistoryPort {
  /** The current location (reactive). */
  location(): { pathname: string; state: unknown };
  push(path: string, state?: NavState): void;
  replace(path: string, state?: NavState): void;
  go(delta: number): void;
}

export const HOME = "/notes";

const SECTION_PATH: Record<Exclude<Section, "entity">, string> = {
  active: "/notes",
  archived: "/archive",
  trash: "/trash",
  reminders: "/reminders",
  views: "/views",
  settings: "/settings",
};
const PATH_SECTION = new Map(Object.entries(SECTION_PATH).map(([s, p]) => [p, s as Section]));

const seg = (s: string) => encodeURIComponent(s);

/** A tag's or person's page, by name. */
export const mentionPath = (kind: "tag" | "person", name: string) => `/${kind}/${seg(name)}`;
/** Opens the note a [[link]] names (or offers to create it). */
export const linkPath = (title: string) => `/link/${seg(title.trim())}`;

/** The path of a place (a note's path leaves out the list beside it: that goes in NavState). */
export function pathOf(place: Place): string {
  if (place.note) return `/notes/${seg(place.note)}`;
  if (place.linkTitle !== undefined) return `/link/${seg(place.linkTitle)}`;
  return listPathOf(place);
}

function listPathOf(place: Place): string {
  if (place.section === "entity") {
    if (place.mention) return `/${place.mention.kind}/${seg(place.mention.name)}`;
    return place.entity ? `/entity/${seg(place.entity)}` : HOME;
  }
  if (place.section === "views" && place.view) return `/views/${seg(place.view)}`;
  return SECTION_PATH[place.section];
}

/** A list's place from its path; undefined for a path that is no list. */
function parseList(parts: string[]): Place | undefined {
  const [first, second] = parts;
  if (parts.length === 1 && PATH_SECTION.has(`/${first}`)) return { section: PATH_SECTION.get(`/${first}`)! };
  if (parts.length !== 2 || !second) return undefined;
  if (first === "views") return { section: "views", view: second };
  if (first === "entity") return { section: "entity", entity: second };
  if (first === "tag" || first === "person") return { section: "entity", mention: { kind: first, name: second } };
  return undefined;
}

const split = (pathname: string) =>
  pathname
    .split("/")
    .filter(Boolean)
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p; // a malformed escape is kept as typed rather than failing the whole page
      }
    });

/** What a location shows; undefined for a path the app does not know (shown as the notes). */
export function parseLocation(pathname: string, state?: unknown): Place | undefined {
  const parts = split(pathname);
  if (parts.length === 2 && (parts[0] === "notes" || parts[0] === "link")) {
    const besidePath = (state as NavState | null | undefined)?.beside;
    const beside = (besidePath && parseList(split(besidePath))) || { section: "active" as const };
    return parts[0] === "notes" ? { ...beside, note: parts[1] } : { ...beside, linkTitle: parts[1] };
  }
  return parseList(parts);
}

export interface Navigation {
  place: Accessor<Place>;
  section: Accessor<Section>;
  /** The note open in the editor, if any; it shows beside whichever list is shown. */
  note: Accessor<string | undefined>;
  /** The [[link]] title being opened (/link/:title), if any; shown where a note would be. */
  linkTitle: Accessor<string | undefined>;
  /** The entity page's id, when the path names it by id (/entity/:id). */
  entity: Accessor<string | undefined>;
  /** The search box's text, as typed. */
  query: Accessor<string>;
  /** True while the search box holds more than spaces: results replace the section's list. */
  searching: Accessor<boolean>;
  /** The next editor to open should put the cursor in the title (a note just made from the keyboard). */
  focusTitle: Accessor<boolean>;

  /** Shows a section and leaves search; the open note stays open beside it (on a wide screen). */
  openSection(section: Section): void;
  /** Settings if elsewhere, the notes if already there (the sync indicator's click). */
  toggleSettings(): void;
  /** Shows the page of a tag, person or link target (a page of its own; back returns here). */
  openEntity(id: string): void;
  /** Opens a saved view (or the list of views, with undefined). */
  openView(id: string | undefined): void;
  openNote(id: string): void;
  /** Opens a note just created, in the notes section, with the cursor in its title. */
  openNewNote(id: string): void;
  /** The [[link]] being opened is this note (found or just made): it takes the link's place in history. */
  resolveLink(noteId: string): void;
  /** Goes to a path inside the app (a link in a note), as a new history entry. */
  openPath(path: string): void;
  /** Closes the open note, back to the list beside it (the editor's ← button and Escape). */
  back(): void;
  search(query: string): void;
  /** The editor has put the cursor in the title; later editors should not. */
  titleFocused(): void;
}

/**
 * `sideBySide`: whether a list shows beside the open note (a wide screen). On a phone the note
 * covers the list, so choosing a section there closes the note instead of changing a hidden list.
 */
export function createNavigation(history: HistoryPort, sideBySide: () => boolean = () => true): Navigation {
  const [query, setQuery] = createSignal("");
  const [focusTitle, setFocusTitle] = createSignal(false);
  const place = () => {
    const { pathname, state } = history.location();
    return parseLocation(pathname, state) ?? { section: "active" as const };
  };
  const navState = () => (history.location().state ?? {}) as NavState;
  const noteOpen = () => place().note !== undefined || place().linkTitle !== undefined;
  const besidePath = () => listPathOf(place());

  /** Pushes a note-like entry (a note or a link being opened) beside the current list. */
  const pushNote = (path: string, beside = besidePath()) => {
    const s = navState();
    const state: NavState = noteOpen() ? { beside, depth: (s.depth ?? 0) > 0 ? s.depth! + 1 : 0, base: s.base } : { beside, depth: 1, base: besidePath() };
    history.push(path, state);
  };

  const openSection = (section: Section) =>
    batch(() => {
      setQuery("");
      if (section === place().section && !place().view && !place().entity && !place().mention) return;
      const target = listPathOf({ section });
      const note = place().note;
      if (note && sideBySide()) pushNote(pathOf({ section, note }), target);
      else history.push(target);
    });

  const openPath = (path: string) => {
    setQuery("");
    const target = parseLocation(path);
    if (target?.note !== undefined || target?.linkTitle !== undefined) pushNote(path);
    else history.push(target ? path : HOME);
  };

  return {
    place,
    section: () => place().section,
    note: () => place().note,
    linkTitle: () => place().linkTitle,
    entity: () => place().entity,
    query,
    searching: () => query().trim() !== "",
    focusTitle,
    openSection,
    toggleSettings: () => openSection(place().section === "settings" ? "active" : "settings"),
    openEntity: (id) => openPath(pathOf({ section: "entity", entity: id })),
    openView: (id) => {
      const path = pathOf({ section: "views", view: id });
      if (noteOpen()) pushNote(pathOf(place()), path);
      else if (place().section === "views") history.replace(path);
      else history.push(path);
    },
    openNote: (id) => pushNote(pathOf({ section: "active", note: id })),
    openNewNote: (id) =>
      batch(() => {
        setQuery("");
        setFocusTitle(true);
        pushNote(pathOf({ section: "active", note: id }), HOME);
      }),
    resolveLink: (id) => history.replace(pathOf({ section: "active", note: id }), navState()),
    openPath,
    back: () => {
      if (!noteOpen()) return;
      const s = navState();
      // Back to the very list the note was opened from: step back through history, so the
      // phone's back button does not return to the note afterwards. Otherwise replace the entry.
      if (s.depth && s.depth > 0 && s.base === s.beside) history.go(-s.depth);
      else history.replace(besidePath());
    },
    search: (q) => setQuery(q),
    titleFocused: () => setFocusTitle(false),
  };
}

/**
 * Where the app starts. A first visit to any path but the notes list puts the list under it in
 * history, so back from a deep link lands in the app, not outside it. Returns the entries to write.
 */
export function startEntries(pathname: string): Array<{ path: string; state?: NavState }> {
  const place = parseLocation(pathname);
  if (!place) return [{ path: HOME }];
  if (pathname === HOME) return [];
  const here = place.note !== undefined || place.linkTitle !== undefined ? { beside: HOME, depth: 1, base: HOME } : undefined;
  return [{ path: HOME }, { path: pathOf(place), state: here }];
}
