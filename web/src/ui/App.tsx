import { createSignal, For, Match, onCleanup, onMount, Show, Switch } from "solid-js";
import { HISTORY_PRUNE_DELAY_MS } from "../../../shared/constants";
import { pruneHistory } from "../notes/historyRepo";
import type { SyncStatus } from "../../../shared/syncStatus";
import type { DbStatus } from "../db/protocol";
import { createNote } from "../notes/notesRepo";
import { useDb } from "./dbContext";
import { EntityPage } from "./EntityPage";
import { createNavigation, type Section } from "./navigation";
import { NoteEditor } from "./NoteEditor";
import { NotesPane } from "./NotesPane";
import { RemindersPane } from "./RemindersPane";
import { ReminderAlerts } from "./ReminderAlerts";
import { SearchResults } from "./SearchResults";
import { SettingsPane } from "./SettingsPane";
import { LinkPrompt, askAboutLink } from "./LinkPrompt";
import { takeSignInLink } from "./signInLink";
import { SecurityAlerts } from "./SecurityAlerts";
import { StorageBanner } from "./StorageBanner";
import { SyncIndicator } from "./SyncIndicator";
import { UpdatePrompt } from "./UpdatePrompt";
import { ViewsPane } from "./ViewsPane";
import { errorMessage } from "../../../shared/errorMessage";

const NAV: Array<[Section, string]> = [
  ["active", "Notes"],
  ["archived", "Archive"],
  ["trash", "Trash"],
  ["reminders", "Reminders"],
  ["views", "Views"],
  ["settings", "Settings"],
];

export function App() {
  const { client, db } = useDb();
  const nav = createNavigation();
  const [status, setStatus] = createSignal<DbStatus>(client.status);
  const [sync, setSync] = createSignal<SyncStatus>(client.syncStatus);
  onCleanup(client.onStatus(setStatus));
  onCleanup(client.onSync(setSync));
  const [notice, setNotice] = createSignal<string>();
  let searchInput: HTMLInputElement | undefined;

  // A link only asks (LinkPrompt); nothing is signed in until the person answers.
  const takeLink = () => {
    const link = takeSignInLink();
    if (link) askAboutLink(link);
  };
  onMount(takeLink);
  // History retention (shared/constants.ts): pruned once per start, after the first screen.
  onMount(() => {
    const timer = setTimeout(() => void pruneHistory(db).catch(() => undefined), HISTORY_PRUNE_DELAY_MS); // retried next start
    onCleanup(() => clearTimeout(timer));
  });
  // A sign-in or link-code link opened while the app is already open.
  window.addEventListener("hashchange", takeLink);
  onCleanup(() => window.removeEventListener("hashchange", takeLink));

  // Desktop shortcuts: "/" or Ctrl/⌘+K search, "n" new note, Escape closes the note.
  const onKey = (e: KeyboardEvent) => {
    const typing = e.target instanceof HTMLElement && (e.target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName));
    if ((e.key === "k" && (e.ctrlKey || e.metaKey)) || (e.key === "/" && !typing)) {
      e.preventDefault();
      searchInput?.focus();
    } else if (e.key === "n" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      void createNote(db).then(
        (note) => nav.openNewNote(note.id),
        (error: unknown) => setNotice(`Could not create a note: ${errorMessage(error)}`),
      );
    } else if (e.key === "Escape" && nav.note()) {
      nav.back();
    }
  };
  window.addEventListener("keydown", onKey);
  onCleanup(() => window.removeEventListener("keydown", onKey));

  return (
    <div class="app" data-storage={status().storage} data-role={status().role}>
      <header class="topbar">
        <h1>CoBrain</h1>
        <label class="search">
          <span class="visually-hidden">Search notes</span>
          <input ref={searchInput} type="search" placeholder="Search  (/)" value={nav.query()} onInput={(e) => nav.search(e.currentTarget.value)} aria-label="Search notes" />
        </label>
        <SyncIndicator status={sync} onClick={nav.toggleSettings} />
      </header>
      <nav class="tabs" aria-label="Sections">
        <For each={NAV}>
          {([id, label]) => (
            <button type="button" aria-current={nav.section() === id ? "page" : undefined} onClick={() => nav.openSection(id)}>
              {label}
            </button>
          )}
        </For>
      </nav>
      <StorageBanner status={status} />
      <LinkPrompt onDone={() => undefined} />
      <SecurityAlerts sync={sync} />
      <UpdatePrompt />
      <ReminderAlerts onOpen={nav.openNote} />
      <Show when={notice()}>
        <div class="banner banner-info" role="status">
          {notice()}{" "}
          <button type="button" class="ghost" aria-label="Dismiss" onClick={() => setNotice(undefined)}>
            ✕
          </button>
        </div>
      </Show>
      <main class="layout" classList={{ editing: nav.note() !== undefined }}>
        <Switch>
          <Match when={nav.searching()}>
            <SearchResults query={nav.query()} onOpen={nav.openNote} />
          </Match>
          <Match when={nav.section() === "active" || nav.section() === "archived" || nav.section() === "trash"}>
            <NotesPane section={nav.section() as "active"} selected={nav.note()} onOpen={nav.openNote} />
          </Match>
          <Match when={nav.section() === "reminders"}>
            <RemindersPane onOpen={nav.openNote} />
          </Match>
          <Match when={nav.section() === "views"}>
            <ViewsPane onOpen={nav.openNote} />
          </Match>
          <Match when={nav.section() === "settings"}>
            <SettingsPane sync={sync} storage={status} onClose={() => nav.openSection("active")} />
          </Match>
          <Match when={nav.section() === "entity" && nav.entity()}>
            <EntityPage entityId={nav.entity()!} onOpen={nav.openNote} />
          </Match>
        </Switch>
        <Show when={nav.note()} keyed>
          {(id) => (
            <div class="editor-pane">
              <NoteEditor
                noteId={id}
                autoFocus={nav.focusTitle()}
                onFocused={nav.titleFocused}
                onClose={nav.back}
                onOpenEntity={nav.openEntity}
                onOpenNote={nav.openNote}
              />
            </div>
          )}
        </Show>
      </main>
    </div>
  );
}
