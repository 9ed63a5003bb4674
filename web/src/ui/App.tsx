import { createSignal, For, Match, onCleanup, onMount, Show, Switch } from "solid-js";
import type { SyncStatus } from "../../../shared/syncStatus";
import type { DbClient } from "../db/client";
import { createDrizzle } from "../db/drizzle";
import type { DbStatus } from "../db/protocol";
import { createNote } from "../notes/notesRepo";
import { EntityPage } from "./EntityPage";
import { NoteEditor } from "./NoteEditor";
import { NotesPane } from "./NotesPane";
import { RemindersPane, useReminderAlerts } from "./RemindersPane";
import { SearchResults } from "./SearchResults";
import { SettingsPane } from "./SettingsPane";
import { consumeSignInLink } from "./signInLink";
import { StorageBanner } from "./StorageBanner";
import { SyncIndicator } from "./SyncIndicator";
import { UpdatePrompt } from "./UpdatePrompt";
import { ViewsPane } from "./ViewsPane";

type Section = "active" | "archived" | "trash" | "reminders" | "views" | "settings" | "entity";

const NAV: Array<[Section, string]> = [
  ["active", "Notes"],
  ["archived", "Archive"],
  ["trash", "Trash"],
  ["reminders", "Reminders"],
  ["views", "Views"],
  ["settings", "Settings"],
];

export function App(props: { client: DbClient }) {
  const db = createDrizzle(props.client);
  const [status, setStatus] = createSignal<DbStatus>(props.client.status);
  const [sync, setSync] = createSignal<SyncStatus>(props.client.syncStatus);
  onCleanup(props.client.onStatus(setStatus));
  onCleanup(props.client.onSync(setSync));
  const [section, setSection] = createSignal<Section>("active");
  const [selected, setSelected] = createSignal<string>();
  const [entity, setEntity] = createSignal<string>();
  const [query, setQuery] = createSignal("");
  const [notice, setNotice] = createSignal<string>();
  let searchInput: HTMLInputElement | undefined;

  const takeLink = () =>
    consumeSignInLink(props.client, (message) => {
      setSection("settings");
      setNotice(`Sign-in failed: ${message}`);
    });
  onMount(takeLink);
  // A sign-in or link-code link opened while the app is already open.
  window.addEventListener("hashchange", takeLink);
  onCleanup(() => window.removeEventListener("hashchange", takeLink));
  const [focusTitle, setFocusTitle] = createSignal(false);
  useReminderAlerts(props.client, (r) => setNotice(`Reminder: ${r.noteTitle || "Untitled note"}`));

  const openEntity = (id: string) => {
    setEntity(id);
    setQuery("");
    setSection("entity");
  };
  const go = (s: Section) => {
    setSection(s);
    setQuery("");
  };

  // Desktop shortcuts: "/" or Ctrl/⌘+K search, "n" new note, Escape closes the note.
  const onKey = (e: KeyboardEvent) => {
    const typing = e.target instanceof HTMLElement && (e.target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName));
    if ((e.key === "k" && (e.ctrlKey || e.metaKey)) || (e.key === "/" && !typing)) {
      e.preventDefault();
      searchInput?.focus();
    } else if (e.key === "n" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      void createNote(db).then((note) => {
        go("active");
        setFocusTitle(true);
        setSelected(note.id);
      });
    } else if (e.key === "Escape" && selected()) {
      setSelected(undefined);
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
          <input ref={searchInput} type="search" placeholder="Search  (/)" value={query()} onInput={(e) => setQuery(e.currentTarget.value)} aria-label="Search notes" />
        </label>
        <SyncIndicator status={sync} onClick={() => go(section() === "settings" ? "active" : "settings")} />
      </header>
      <nav class="tabs" aria-label="Sections">
        <For each={NAV}>
          {([id, label]) => (
            <button type="button" aria-current={section() === id ? "page" : undefined} onClick={() => go(id)}>
              {label}
            </button>
          )}
        </For>
      </nav>
      <StorageBanner status={status} />
      <UpdatePrompt />
      <Show when={notice()}>
        <div class="banner banner-info" role="status">
          {notice()}{" "}
          <button type="button" class="ghost" aria-label="Dismiss" onClick={() => setNotice(undefined)}>
            ✕
          </button>
        </div>
      </Show>
      <main class="layout" classList={{ editing: selected() !== undefined }}>
        <Switch>
          <Match when={query().trim()}>
            <SearchResults client={props.client} query={query()} onOpen={setSelected} />
          </Match>
          <Match when={section() === "active" || section() === "archived" || section() === "trash"}>
            <NotesPane client={props.client} db={db} section={section() as "active"} selected={selected()} onOpen={setSelected} />
          </Match>
          <Match when={section() === "reminders"}>
            <RemindersPane client={props.client} db={db} onOpen={setSelected} />
          </Match>
          <Match when={section() === "views"}>
            <ViewsPane client={props.client} db={db} onOpen={setSelected} />
          </Match>
          <Match when={section() === "settings"}>
            <SettingsPane client={props.client} db={db} sync={sync} storage={status} onClose={() => go("active")} />
          </Match>
          <Match when={section() === "entity" && entity()}>
            <EntityPage client={props.client} entityId={entity()!} onOpen={setSelected} />
          </Match>
        </Switch>
        <Show when={selected()} keyed>
          {(id) => (
            <div class="editor-pane">
              <NoteEditor
                client={props.client}
                noteId={id}
                autoFocus={focusTitle()}
                onFocused={() => setFocusTitle(false)}
                onClose={() => setSelected(undefined)}
                onOpenEntity={openEntity}
                onOpenNote={setSelected}
              />
            </div>
          )}
        </Show>
      </main>
    </div>
  );
}
