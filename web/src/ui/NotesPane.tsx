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
import { t } from "../i18n/i18n";

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
    <section class="list-pane" aria-label={t(`notes.pane.${props.section}`)}>
      <Show when={props.section === "active"}>
        <form class="new-note" onSubmit={add}>
          <label class="visually-hidden" for="new-note-title">
            {t("notes.newNote")}
          </label>
          <input id="new-note-title" placeholder={t("notes.newNotePlaceholder")} autocomplete="off" value={title()} onInput={(e) => setTitle(e.currentTarget.value)} />
          <button type="submit" aria-label={t("notes.addNote")}>
            {t("notes.add")}
          </button>
        </form>
        <ImportButton />
      </Show>
      <Show when={props.section === "trash" && (trashCount.data() ?? 0) > 0}>
        <button
          type="button"
          class="danger"
          onClick={() => {
            if (confirm(t("notes.emptyTrashConfirm"))) void saving.run(() => emptyTrash(db));
          }}
        >
          {t("notes.emptyTrash")}
        </button>
      </Show>
      <ErrorText message={saving.error()} prefix={t("notes.couldNotSave")} />
      <div class="list-tools">
        <label for="note-sort">{t("notes.sortBy")}</label>
        <select id="note-sort" value={sort()} onChange={(e) => setSort(e.currentTarget.value as NoteSort)}>
          <option value="edited">{t("notes.sort.edited")}</option>
          <option value="created">{t("notes.sort.created")}</option>
          <option value="title">{t("notes.sort.title")}</option>
        </select>
      </div>
      <VirtualNoteList filter={{ section: props.section }} sort={sort()} selected={props.selected} onOpen={props.onOpen} empty={t(`notes.empty.${props.section}`)} label={t(`notes.label.${props.section}`)} />
    </section>
  );
}
