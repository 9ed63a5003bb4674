import { For, Show } from "solid-js";
import type { Note } from "../../../shared/schema";
import { createLiveQuery } from "../db/live";
import { createNow } from "../list/now";
import { conflictedNoteIds } from "../notes/conflictsRepo";
import { useDb } from "./dbContext";
import { NoteRow } from "./NoteRow";
import "./noteList.css";
import { t } from "../i18n/i18n";

/** A short list of notes (a tag's page, a view); `empty` is shown when there are none. The sections use VirtualNoteList. */
export function NoteList(props: { notes: Note[] | undefined; selected?: string; onOpen: (id: string) => void; empty: string; label?: string }) {
  const { client } = useDb();
  const conflicted = createLiveQuery(client, conflictedNoteIds);
  const now = createNow();
  return (
    <Show when={(props.notes ?? []).length > 0} fallback={<p class="empty">{props.empty}</p>}>
      <ul class="note-list" aria-label={props.label ?? t("common.notes")}>
        <For each={props.notes}>
          {(note) => (
            <li class="note" data-id={note.id} classList={{ selected: props.selected === note.id, pinned: note.pinned === 1 }}>
              <NoteRow note={note} now={now} conflicted={conflicted.data()?.has(note.id) ?? false} onOpen={props.onOpen} />
            </li>
          )}
        </For>
      </ul>
    </Show>
  );
}
