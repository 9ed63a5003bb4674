import { createSignal, Show } from "solid-js";
import { createLiveQuery } from "../db/live";
import { countNotes, type NoteSort } from "../notes/noteListQuery";
import { createNote, emptyTrash } from "../notes/notesRepo";
import { createSortSetting } from "../list/sortSetting";
import { createAction } from "./action";
import { useDb } from "./dbContext";
import { ImportButton } from "./ImportButton";
import { VirtualNoteList } from "./VirtualNoteList";
import { ErrorText } from "./ErrorText";

const EMPTY = {
  active: "No notes yet. Write your first one above.",
  archived: "Nothing archived. Archive a note to keep it out of the way without deleting it.",
  trash: "The trash is empty.",
};
const LABEL = { active: "Notes", archived: "Archived notes", trash: "Notes in the trash" };

/** A section's notes: active (with the new-note form), archived, or trash (with Empty trash). */
export function NotesPane(props: { section: "active" | "archived" | "trash"; selected?: string; onOpen: (id: string) => void }) {
  const { client, db } = useDb();
  // Only whether the trash holds anything (for Empty trash); the list reads its own window.
  const trashCount = createLiveQuery(client, (d) => (props.section === "trash" ? countNotes(d, { section: "trash" }) : Promise.resolve(0)), () => props.section);
  const [sort, setSort] = createSortSetting();
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
      <Show when={props.section === "trash" && (trashCount.data() ?? 0) > 0}>
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
      <div class="list-tools">
        <label for="note-sort">Sort by</label>
        <select id="note-sort" value={sort()} onChange={(e) => setSort(e.currentTarget.value as NoteSort)}>
          <option value="edited">Last edited</option>
          <option value="created">Date created</option>
          <option value="title">Title</option>
        </select>
      </div>
      <VirtualNoteList filter={{ section: props.section }} sort={sort()} selected={props.selected} onOpen={props.onOpen} empty={EMPTY[props.section]} label={LABEL[props.section]} />
    </section>
  );
}
