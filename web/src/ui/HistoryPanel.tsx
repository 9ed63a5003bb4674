import { createSignal, For, Show } from "solid-js";
import type { NoteRevision } from "../../../shared/schema";
import { createLiveQuery } from "../db/live";
import { noteHistory, restoreRevision } from "../notes/historyRepo";
import { createAction } from "./action";
import { useDb } from "./dbContext";
import { ErrorText } from "./ErrorText";
import { TextDiff } from "./TextDiff";

const KIND: Record<string, string> = {
  edit: "Before editing",
  restore: "Before a restore",
  import: "Before an import",
  replaced: "Replaced by another device",
  conflict: "Other version (edited at the same time)",
};

/**
 * A note's revisions, newest first; one opens to show what changed since it (a word diff against
 * the current text, as <del>/<ins> with the words "removed"/"added" for screen readers), its
 * whole text, and can be restored.
 */
export function HistoryPanel(props: { noteId: string; current: { title: string; body: string }; beforeRestore: () => Promise<void> }) {
  const { client, db } = useDb();
  const history = createLiveQuery(client, (d) => noteHistory(d, props.noteId));
  const [open, setOpen] = createSignal<NoteRevision>();
  const restoring = createAction();
  return (
    <div class="history" aria-label="History">
      <Show when={(history.data() ?? []).length > 0} fallback={<p class="muted">No earlier versions yet.</p>}>
        <ul class="history-list">
          <For each={history.data()}>
            {(r) => (
              <li>
                <button type="button" class="link" aria-pressed={open()?.id === r.id} onClick={() => setOpen(r)}>
                  {new Date(r.createdAt).toLocaleString()} · {KIND[r.kind] ?? r.kind}
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <Show when={open()}>
        {(r) => (
          <div class="history-revision">
            <p class="muted">Changes since this version, up to the current text:</p>
            <Show when={r().title !== props.current.title}>
              <p>
                Title:{" "}
                <del>
                  <span class="visually-hidden">removed: </span>
                  {r().title}
                </del>{" "}
                →{" "}
                <ins>
                  <span class="visually-hidden">added: </span>
                  {props.current.title}
                </ins>
              </p>
            </Show>
            <TextDiff before={r().body} after={props.current.body} same="The text is the same as now." />
            <p class="muted">This version's text:</p>
            <pre class="history-text">{r().body}</pre>
            <button
              type="button"
              onClick={() =>
                void restoring.run(async () => {
                  await props.beforeRestore();
                  await restoreRevision(db, r());
                  setOpen(undefined);
                })
              }
            >
              Restore this version
            </button>
          </div>
        )}
      </Show>
      <ErrorText message={restoring.error()} prefix="Not restored: " />
    </div>
  );
}
