import { createSignal, For, onCleanup, onMount, Show } from "solid-js";
import type { SyncStatus } from "../../../shared/syncStatus";
import type { DbClient } from "../db/client";
import { createDrizzle } from "../db/drizzle";
import { createLiveQuery } from "../db/live";
import type { DbStatus } from "../db/protocol";
import { createNote, listActiveNotes } from "../notes/notesRepo";
import { ImportButton } from "./ImportButton";
import { NoteEditor } from "./NoteEditor";
import { consumeSignInLink } from "./signInLink";
import { StorageBanner } from "./StorageBanner";
import { SyncIndicator } from "./SyncIndicator";
import { SyncSettings } from "./SyncSettings";
import { UpdatePrompt } from "./UpdatePrompt";

export function App(props: { client: DbClient }) {
  const db = createDrizzle(props.client);
  const [status, setStatus] = createSignal<DbStatus>(props.client.status);
  const [sync, setSync] = createSignal<SyncStatus>(props.client.syncStatus);
  onCleanup(props.client.onStatus(setStatus));
  onCleanup(props.client.onSync(setSync));
  const notes = createLiveQuery(props.client, (d) => listActiveNotes(d));
  const [title, setTitle] = createSignal("");
  const [saveError, setSaveError] = createSignal<string>();
  const [selected, setSelected] = createSignal<string>();
  const [settingsOpen, setSettingsOpen] = createSignal(false);

  onMount(() => consumeSignInLink(props.client, (message) => {
    setSettingsOpen(true);
    setSaveError(`Sign-in failed: ${message}`);
  }));

  const add = async (event: SubmitEvent) => {
    event.preventDefault();
    const text = title().trim();
    if (!text) return;
    try {
      await createNote(db, { title: text });
      setTitle("");
      setSaveError(undefined);
    } catch (error) {
      setSaveError(error instanceof Error ? error.message : String(error));
    }
  };

  return (
    <div class="app" data-storage={status().storage} data-role={status().role}>
      <header class="topbar">
        <h1>CoBrain</h1>
        <SyncIndicator status={sync} onClick={() => setSettingsOpen((open) => !open)} />
      </header>
      <StorageBanner status={status} />
      <UpdatePrompt />
      <Show when={settingsOpen()}>
        <SyncSettings client={props.client} status={sync} onClose={() => setSettingsOpen(false)} />
      </Show>
      <main class="layout">
        <section class="list-pane" aria-label="Notes list">
          <form class="new-note" onSubmit={add}>
            <label class="visually-hidden" for="new-note-title">
              New note
            </label>
            <input id="new-note-title" placeholder="Write a note…" autocomplete="off" value={title()} onInput={(e) => setTitle(e.currentTarget.value)} />
            <button type="submit" aria-label="Add note">
              Add
            </button>
          </form>
          <ImportButton db={db} />
          <Show when={saveError()}>
            <p class="error" role="alert">
              {saveError()}
            </p>
          </Show>
          <Show when={notes.error()}>
            <p class="error" role="alert">
              Could not load notes: {notes.error()!.message}
            </p>
          </Show>
          <Show when={notes.runs() > 0} fallback={<p class="muted" aria-busy="true">Opening your notes…</p>}>
            <Show when={(notes.data() ?? []).length > 0} fallback={<p class="empty">No notes yet. Write your first one above.</p>}>
              <ul class="note-list" aria-label="Notes">
                <For each={notes.data()}>
                  {(note) => (
                    <li class="note" data-id={note.id} classList={{ selected: selected() === note.id, pinned: note.pinned === 1 }}>
                      <button type="button" class="note-open" onClick={() => setSelected(note.id)}>
                        <span class="note-title">{note.title || "Untitled"}</span>
                        <span class="note-snippet muted">{note.body.slice(0, 80)}</span>
                      </button>
                    </li>
                  )}
                </For>
              </ul>
            </Show>
          </Show>
        </section>
        <Show when={selected()}>
          {(id) => (
            <div class="editor-pane">
              <NoteEditor client={props.client} noteId={id()} onClose={() => setSelected(undefined)} />
            </div>
          )}
        </Show>
      </main>
    </div>
  );
}
