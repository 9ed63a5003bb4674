import { createEffect, Show } from "solid-js";
import { createLiveQuery } from "../db/live";
import { noteByTitle } from "../entities/entitiesRepo";
import { createNote } from "../notes/notesRepo";
import { createAction } from "./action";
import { useDb } from "./dbContext";
import { ErrorText } from "./ErrorText";
import { t } from "../i18n/i18n";

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
    <section class="editor" aria-label={t("link.label")}>
      <div class="editor-bar">
        <button type="button" class="ghost" onClick={props.onClose} aria-label={t("common.backToNotes")}>
          ←
        </button>
      </div>
      <Show when={target.runs() > 0 && !target.data()} fallback={<p class="muted">{t("link.opening", { title: props.title })}</p>}>
        <p role="status">{t("link.missing", { title: props.title })}</p>
        <button type="button" onClick={() => void creating.run(async () => props.onFound((await createNote(db, { title: props.title.trim() })).id))}>
          {t("link.create", { title: props.title })}
        </button>
      </Show>
      <ErrorText message={creating.error()} prefix={t("link.notCreated")} />
    </section>
  );
}
