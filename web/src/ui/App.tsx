import { createSignal, For, onCleanup, Show } from "solid-js";
import type { DbClient } from "../db/client";
import { createDrizzle } from "../db/drizzle";
import { createLiveQuery } from "../db/live";
import type { DbStatus } from "../db/protocol";
import { createNote, listActiveNotes } from "../notes/notesRepo";
import { StorageBanner } from "./StorageBanner";

export function App(props: { client: DbClient }) {
  const db = createDrizzle(props.client);
  const [status, setStatus] = createSignal<DbStatus>(props.client.status);
  onCleanup(props.client.onStatus(setStatus));
  const notes = createLiveQuery(props.client, (d) => listActiveNotes(d));
  const [title, setTitle] = createSignal("");
  const [saveError, setSaveError] = createSignal<string>();

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
      </header>
      <StorageBanner status={status} />
      <main>
        <form class="new-note" onSubmit={add}>
          <label class="visually-hidden" for="new-note-title">
            New note
          </label>
          <input
            id="new-note-title"
            placeholder="Write a note…"
            autocomplete="off"
            value={title()}
            onInput={(e) => setTitle(e.currentTarget.value)}
          />
          <button type="submit" aria-label="Add note">
            Add
          </button>
        </form>
        <Show when={saveError()}>
          <p class="error" role="alert">
            Could not save: {saveError()}
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
                  <li class="note" data-id={note.id}>
                    <span class="note-title">{note.title || "Untitled"}</span>
                    <time class="muted" datetime={new Date(note.updatedAt).toISOString()}>
                      {new Date(note.updatedAt).toLocaleString()}
                    </time>
                  </li>
                )}
              </For>
            </ul>
          </Show>
        </Show>
      </main>
    </div>
  );
}
