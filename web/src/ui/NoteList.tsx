import { For, Show } from "solid-js";
import type { Note } from "../../../shared/schema";
import { createLiveQuery } from "../db/live";
import { conflictedNoteIds } from "../notes/conflictsRepo";
import { useDb } from "./dbContext";

/** A list of notes; `empty` is shown when there are none. A note with an open conflict says so. */
export function NoteList(props: { notes: Note[] | undefined; selected?: string; onOpen: (id: string) => void; empty: string; label?: string }) {
  const { client } = useDb();
  const conflicted = createLiveQuery(client, conflictedNoteIds);
  return (
    <Show when={(props.notes ?? []).length > 0} fallback={<p class="empty">{props.empty}</p>}>
      <ul class="note-list" aria-label={props.label ?? "Notes"}>
        <For each={props.notes}>
          {(note) => (
            <li class="note" data-id={note.id} classList={{ selected: props.selected === note.id, pinned: note.pinned === 1 }}>
              <button type="button" class="note-open" onClick={() => props.onOpen(note.id)}>
                <span class="note-title">{note.title || "Untitled"}</span>
                <Show when={conflicted.data()?.has(note.id)}>
                  <span class="note-versions">2 versions</span>
                </Show>
                <span class="note-snippet muted">{note.body.slice(0, 80)}</span>
              </button>
            </li>
          )}
        </For>
      </ul>
    </Show>
  );
}
