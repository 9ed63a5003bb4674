import { createEffect, Show } from "solid-js";
import { createLiveQuery } from "../db/live";
import { noteByTitle } from "../entities/entitiesRepo";
import { createNote } from "../notes/notesRepo";
import { createAction } from "./action";
import { useDb } from "./dbContext";
import { ErrorText } from "./ErrorText";

/**
 * A [[link]] being opened (/link/:title): the note with that title opens in its place as soon as
 * it exists on this device (now, or when sync brings it); until then, an offer to create it.
 */
export function LinkTarget(props: { title: string; onFound: (noteId: string) => void; onClose: () => void }) {
  const { client, db } = useDb();
  const target = createLiveQuery(client, (d) => noteByTitle(d, props.title), () => props.title);
  const creating = createAction();
  createEffect(() => {
    const found = target.data();
    if (found) props.onFound(found.id);
  });
  return (
    <section class="editor" aria-label="Link">
      <div class="editor-bar">
        <button type="button" class="ghost" onClick={props.onClose} aria-label="Back to notes">
          ←
        </button>
      </div>
      <Show when={target.runs() > 0 && !target.data()} fallback={<p class="muted">Opening “{props.title}”…</p>}>
        <p role="status">No note is called “{props.title}” on this device yet.</p>
        <button type="button" onClick={() => void creating.run(async () => props.onFound((await createNote(db, { title: props.title.trim() })).id))}>
          Create “{props.title}”
        </button>
      </Show>
      <ErrorText message={creating.error()} prefix="Not created: " />
    </section>
  );
}
