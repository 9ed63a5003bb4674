import { createSignal, Show } from "solid-js";
import { createLiveQuery } from "../db/live";
import { createNote, emptyTrash, listNotes } from "../notes/notesRepo";
import { createAction } from "./action";
import { useDb } from "./dbContext";
import { ImportButton } from "./ImportButton";
import { NoteList } from "./NoteList";
import { ErrorText } from "./ErrorText";

const EMPTY = {
  active: "No notes yet. Write your first one above.",
  archived: "Nothing archived. Archive a note to keep it out of the way without deleting it.",
  trash: "The trash is empty.",
};

/** A section's notes: active (with the new-note form), archived, or trash (with Empty trash). */
export function NotesPane(props: { section: "active" | "archived" | "trash"; selected?: string; onOpen: (id: string) => void }) {
  const { client, db } = useDb();
  const notes = createLiveQuery(client, (d) => listNotes(d, { section: props.section }), () => props.section);
  const [title, setTitle] = createSignal("");
  const saving = createAction();

  const add = (event: SubmitEvent) => {
    event.preventDefault();
    const text = title().trim();
    if (!text) return;
    void saving.run(async () => {
      await createNote(db, { title: text });
      setTitle("");
    });
  };

  return (
    <section class="list-pane" aria-label={`${props.section} notes`}>
      <Show when={props.section === "active"}>
        <form class="new-note" onSubmit={add}>
          <label class="visually-hidden" for="new-note-title">
            New note
          </label>
          <input id="new-note-title" placeholder="Write a note…" autocomplete="off" value={title()} onInput={(e) => setTitle(e.currentTarget.value)} />
          <button type="submit" aria-label="Add note">
            Add
          </button>
        </form>
        <ImportButton />
      </Show>
      <Show when={props.section === "trash" && (notes.data() ?? []).length > 0}>
        <button
          type="button"
          class="danger"
          onClick={() => {
            if (confirm("Delete every note in the trash for good, on all your devices?")) void saving.run(() => emptyTrash(db));
          }}
        >
          Empty trash
        </button>
      </Show>
      <ErrorText message={saving.error()} prefix="Could not save: " />
      <Show when={notes.error()}>
        <p class="error" role="alert">
          Could not load notes: {notes.error()!.message}
        </p>
      </Show>
      <Show when={notes.runs() > 0} fallback={<p class="muted" aria-busy="true">Opening your notes…</p>}>
        <NoteList notes={notes.data()} selected={props.selected} onOpen={props.onOpen} empty={EMPTY[props.section]} />
      </Show>
    </section>
  );
}
