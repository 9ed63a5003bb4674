import { createEffect, createSignal, onCleanup, Show } from "solid-js";
import { AUTOSAVE_DELAY_MS } from "../../../shared/constants";
import type { Note } from "../../../shared/schema";
import type { DbClient } from "../db/client";
import { createDrizzle } from "../db/drizzle";
import { createLiveQuery } from "../db/live";
import { deleteNote, getNote, updateNote } from "../notes/notesRepo";

type Field = "title" | "body";

/**
 * Edits one note with autosave: no save button. Keystrokes are saved after a short pause, and at
 * once on blur or when the page is hidden. Edits arriving from other devices show up in a field
 * unless the user is typing in it.
 */
export function NoteEditor(props: { client: DbClient; noteId: string; onClose: () => void }) {
  const db = createDrizzle(props.client);
  const note = createLiveQuery(props.client, (d) => getNote(d, props.noteId));
  const [draft, setDraft] = createSignal<Record<Field, string>>({ title: "", body: "" });
  const [error, setError] = createSignal<string>();
  const dirty = new Set<Field>();
  let focused: Field | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  createEffect(() => {
    const current = note.data();
    if (!current) return;
    setDraft((d) => ({
      title: dirty.has("title") || focused === "title" ? d.title : current.title,
      body: dirty.has("body") || focused === "body" ? d.body : current.body,
    }));
  });

  const save = async () => {
    clearTimeout(timer);
    timer = undefined;
    if (dirty.size === 0) return;
    const fields: Partial<Pick<Note, Field>> = {};
    for (const f of dirty) fields[f] = draft()[f];
    dirty.clear();
    try {
      await updateNote(db, props.noteId, fields);
      setError(undefined);
    } catch (e) {
      for (const f of Object.keys(fields) as Field[]) dirty.add(f);
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  const edit = (field: Field, value: string) => {
    setDraft((d) => ({ ...d, [field]: value }));
    dirty.add(field);
    clearTimeout(timer);
    timer = setTimeout(() => void save(), AUTOSAVE_DELAY_MS);
  };

  const onHide = () => void save();
  window.addEventListener("pagehide", onHide);
  document.addEventListener("visibilitychange", onHide);
  onCleanup(() => {
    void save();
    window.removeEventListener("pagehide", onHide);
    document.removeEventListener("visibilitychange", onHide);
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
              <button
                type="button"
                aria-pressed={current().pinned === 1}
                onClick={() => void updateNote(db, props.noteId, { pinned: current().pinned === 1 ? 0 : 1 })}
              >
                {current().pinned === 1 ? "Unpin" : "Pin"}
              </button>
              <button
                type="button"
                class="danger"
                onClick={() => {
                  dirty.clear();
                  void deleteNote(db, props.noteId).then(props.onClose);
                }}
              >
                Delete
              </button>
            </div>
            <label class="visually-hidden" for="note-title">
              Title
            </label>
            <input id="note-title" class="title-input" placeholder="Title" {...field("title")} />
            <label class="visually-hidden" for="note-body">
              Body
            </label>
            <textarea id="note-body" class="body-input" placeholder="Write…" rows={12} {...field("body")} />
          </>
        )}
      </Show>
      <Show when={error()}>
        <p class="error" role="alert">
          Not saved: {error()}
        </p>
      </Show>
    </section>
  );
}
