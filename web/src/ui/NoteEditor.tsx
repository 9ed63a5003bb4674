import { createEffect, createSignal, For, onCleanup, Show } from "solid-js";
import { AUTOSAVE_DELAY_MS } from "../../../shared/constants";
import { createLiveQuery } from "../db/live";
import { backlinks, entitiesOfNote } from "../entities/entitiesRepo";
import { deleteNote, getNote, moveToTrash, restoreFromTrash, saveNoteText, updateNote } from "../notes/notesRepo";
import { addReminder, deleteReminder, markDone, markUndone, remindersOfNote } from "../reminders/remindersRepo";
import { createAction } from "./action";
import { useDb } from "./dbContext";
import { ErrorText } from "./ErrorText";

type Field = "title" | "body";

const SIGIL: Record<string, string> = { tag: "#", person: "@", link: "→ " };

/**
 * Edits one note with autosave: no save button. Keystrokes are saved after a short pause, and at
 * once on blur, when the page is hidden and before the database is released. Edits arriving from
 * other devices show up in a field unless the user is typing in it.
 */
export function NoteEditor(props: {
  noteId: string;
  /** Put the cursor in the title once it shows (a note just made from the keyboard). */
  autoFocus?: boolean;
  onFocused?: () => void;
  onClose: () => void;
  onOpenEntity: (id: string) => void;
  onOpenNote: (id: string) => void;
}) {
  const { client, db } = useDb();
  const note = createLiveQuery(client, (d) => getNote(d, props.noteId));
  const mentions = createLiveQuery(client, (d) => entitiesOfNote(d, props.noteId));
  // Follows the loaded note's title (re-runs when it changes) instead of fetching the note again.
  const linking = createLiveQuery(
    client,
    (d) => backlinks(d, { id: props.noteId, title: note.data()?.title ?? "" }),
    () => note.data()?.title,
  );
  const reminders = createLiveQuery(client, (d) => remindersOfNote(d, props.noteId));
  const [draft, setDraft] = createSignal<Record<Field, string>>({ title: "", body: "" });
  // Two actions, so that a button that works does not hide that the text is still unsaved.
  const saving = createAction();
  const acting = createAction();
  const [due, setDue] = createSignal("");
  let dirty = false;
  let focused: Field | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  createEffect(() => {
    const current = note.data();
    if (!current) return;
    setDraft((d) => ({
      title: dirty || focused === "title" ? d.title : current.title,
      body: dirty || focused === "body" ? d.body : current.body,
    }));
  });

  const save = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    if (!dirty) return Promise.resolve();
    dirty = false;
    const text = draft();
    return saving
      .run(() =>
        saveNoteText(db, props.noteId, text).catch((e: unknown) => {
          dirty = true; // the next blur, pause or suspend tries again
          throw e;
        }),
      )
      .then(() => undefined);
  };

  const edit = (field: Field, value: string) => {
    setDraft((d) => ({ ...d, [field]: value }));
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(() => void save(), AUTOSAVE_DELAY_MS);
  };

  const onHidden = () => {
    if (document.visibilityState === "hidden") void save();
  };
  document.addEventListener("visibilitychange", onHidden);
  const unregister = client.beforeSuspend(() => void save());
  onCleanup(() => {
    void save();
    unregister();
    document.removeEventListener("visibilitychange", onHidden);
  });

  const field = (name: Field) => ({
    value: draft()[name],
    onInput: (e: InputEvent & { currentTarget: HTMLInputElement | HTMLTextAreaElement }) => edit(name, e.currentTarget.value),
    onFocus: () => (focused = name),
    onBlur: () => {
      focused = undefined;
      void save();
    },
  });

  const act = (action: () => Promise<unknown>) => void acting.run(action);

  return (
    <section class="editor" aria-label="Note editor">
      <Show when={note.runs() > 0 && !note.data()}>
        <p class="muted" role="status">
          This note was deleted.
        </p>
      </Show>
      <Show when={note.data()}>
        {(current) => (
          <>
            <div class="editor-bar">
              <button type="button" class="ghost" onClick={props.onClose} aria-label="Back to notes">
                ←
              </button>
              <Show
                when={current().trashedAt === null}
                fallback={
                  <>
                    <button type="button" onClick={() => act(() => restoreFromTrash(db, props.noteId))}>
                      Restore
                    </button>
                    <button
                      type="button"
                      class="danger"
                      onClick={() => {
                        dirty = false;
                        act(() => deleteNote(db, props.noteId).then(props.onClose));
                      }}
                    >
                      Delete forever
                    </button>
                  </>
                }
              >
                <button type="button" aria-pressed={current().pinned === 1} onClick={() => act(() => updateNote(db, props.noteId, { pinned: current().pinned === 1 ? 0 : 1 }))}>
                  {current().pinned === 1 ? "Unpin" : "Pin"}
                </button>
                <button type="button" onClick={() => act(() => updateNote(db, props.noteId, { archived: current().archived === 1 ? 0 : 1 }))}>
                  {current().archived === 1 ? "Unarchive" : "Archive"}
                </button>
                <button type="button" class="danger" onClick={() => act(() => save().then(() => moveToTrash(db, props.noteId)).then(props.onClose))}>
                  Move to trash
                </button>
              </Show>
            </div>
            <label class="visually-hidden" for="note-title">
              Title
            </label>
            <input
              id="note-title"
              class="title-input"
              placeholder="Title"
              ref={(el) => {
                if (props.autoFocus) queueMicrotask(() => (el.focus(), props.onFocused?.()));
              }}
              {...field("title")}
            />
            <label class="visually-hidden" for="note-body">
              Body
            </label>
            <textarea id="note-body" class="body-input" placeholder="Write… #tags, @people and [[links to notes]] are recognised" rows={12} {...field("body")} />
            <Show when={(mentions.data() ?? []).length > 0}>
              <ul class="chips" aria-label="Tags, people and links">
                <For each={mentions.data()}>
                  {(e) => (
                    <li>
                      <button type="button" class={`chip chip-${e.kind}`} onClick={() => props.onOpenEntity(e.id)}>
                        {SIGIL[e.kind]}
                        {e.name}
                      </button>
                    </li>
                  )}
                </For>
              </ul>
            </Show>
            <Show when={(linking.data() ?? []).length > 0}>
              <div class="backlinks">
                <h3>Linked from</h3>
                <ul aria-label="Backlinks">
                  <For each={linking.data()}>
                    {(n) => (
                      <li>
                        <button type="button" class="link" onClick={() => props.onOpenNote(n.id)}>
                          {n.title || "Untitled"}
                        </button>
                      </li>
                    )}
                  </For>
                </ul>
              </div>
            </Show>
            <div class="reminders-editor">
              <h3>Reminders</h3>
              <form
                class="inline"
                onSubmit={(e) => {
                  e.preventDefault();
                  const at = Date.parse(due());
                  if (!Number.isNaN(at)) act(() => addReminder(db, props.noteId, at).then(() => setDue("")));
                }}
              >
                <label>
                  <span class="visually-hidden">Remind me at</span>
                  <input type="datetime-local" value={due()} onInput={(e) => setDue(e.currentTarget.value)} aria-label="Remind me at" />
                </label>
                <button type="submit" disabled={!due()}>
                  Add reminder
                </button>
              </form>
              <ul aria-label="Reminders of this note">
                <For each={reminders.data()}>
                  {(r) => (
                    <li classList={{ done: r.doneAt !== null }}>
                      <time dateTime={new Date(r.dueAt).toISOString()}>{new Date(r.dueAt).toLocaleString()}</time>{" "}
                      <button type="button" onClick={() => act(() => (r.doneAt === null ? markDone(db, r.id) : markUndone(db, r.id)))}>
                        {r.doneAt === null ? "Done" : "Undo"}
                      </button>{" "}
                      <button type="button" class="ghost" aria-label="Remove reminder" onClick={() => act(() => deleteReminder(db, r.id))}>
                        ✕
                      </button>
                    </li>
                  )}
                </For>
              </ul>
            </div>
          </>
        )}
      </Show>
      <ErrorText message={saving.error() ?? acting.error()} prefix="Not saved: " />
    </section>
  );
}
