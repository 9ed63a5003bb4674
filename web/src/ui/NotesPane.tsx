import { createSignal, lazy, Show, Suspense } from "solid-js";
import { createLiveRead } from "../db/live";
import { loadDrizzle } from "../db/drizzleLoader";
import type { NoteSort } from "../notes/noteListQuery";
import { createSortSetting } from "../list/sortSetting";
import { createAction } from "./action";
import { useDb } from "./dbContext";
import { VirtualNoteList } from "./VirtualNoteList";
import { ErrorText } from "./ErrorText";
import { t } from "../i18n/i18n";

/** Import reads files and plans (backup, zip): its code (and Drizzle's, which it uses) loads after the list. */
const ImportButton = lazy(() => Promise.all([import("./ImportButton"), loadDrizzle()]).then(([m]) => ({ default: m.ImportButton })));

/** A section's notes: active (with the new-note form), archived, or trash (with Empty trash). */
export function NotesPane(props: { section: "active" | "archived" | "trash"; selected?: string; onOpen: (id: string) => void }) {
  const { drizzle } = useDb();
  const [sort, setSort] = createSortSetting();
  const [title, setTitle] = createSignal("");
  const saving = createAction();

  const add = (event: SubmitEvent) => {
    event.preventDefault();
    const text = title().trim();
    if (!text) return;
    void saving.run(async () => {
      const [{ createNote }, db] = await Promise.all([import("../notes/notesRepo"), drizzle()]); // loaded after the first paint
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
        <Suspense>
          <ImportButton />
        </Suspense>
      </Show>
      <Show when={props.section === "trash"}>
        <EmptyTrash onEmpty={(run) => void saving.run(run)} />
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

/** Empty trash, shown while the trash holds anything (the list reads its own window). */
function EmptyTrash(props: { onEmpty: (run: () => Promise<unknown>) => void }) {
  const { client, drizzle } = useDb();
  const trashCount = createLiveRead(client, "noteCount", () => ({ section: "trash" }));
  const empty = async () => {
    const [{ emptyTrash }, db] = await Promise.all([import("../notes/notesRepo"), drizzle()]);
    return emptyTrash(db);
  };
  return (
    <Show when={(trashCount.data() ?? 0) > 0}>
      <button
        type="button"
        class="danger"
        onClick={() => {
          if (confirm(t("notes.emptyTrashConfirm"))) props.onEmpty(empty);
        }}
      >
        {t("notes.emptyTrash")}
      </button>
    </Show>
  );
}
