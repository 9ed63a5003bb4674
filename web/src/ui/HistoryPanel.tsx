import { createSignal, For, Show } from "solid-js";
import type { NoteRevision } from "../../../shared/schema";
import { createLiveQuery } from "../db/live";
import { noteHistory, restoreRevision } from "../notes/historyRepo";
import { createAction } from "./action";
import { useDb } from "./dbContext";
import { ErrorText } from "./ErrorText";
import { TextDiff } from "./TextDiff";
import { formatDateTime, t } from "../i18n/i18n";

const KINDS = ["edit", "restore", "import", "replaced", "conflict"] as const;
const kindLabel = (kind: string) => ((KINDS as readonly string[]).includes(kind) ? t(`history.kind.${kind as (typeof KINDS)[number]}`) : kind);

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
    <div class="history" aria-label={t("history.label")}>
      <Show when={(history.data() ?? []).length > 0} fallback={<p class="muted">{t("history.none")}</p>}>
        <ul class="history-list">
          <For each={history.data()}>
            {(r) => (
              <li>
                <button type="button" class="link" aria-pressed={open()?.id === r.id} onClick={() => setOpen(r)}>
                  {formatDateTime(r.createdAt)} · {kindLabel(r.kind)}
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <Show when={open()}>
        {(r) => (
          <div class="history-revision">
            <p class="muted">{t("history.changesSince")}</p>
            <Show when={r().title !== props.current.title}>
              <p>
                {t("history.titleChange")}{" "}
                <del>
                  <span class="visually-hidden">{t("common.removed")}</span>
                  {r().title}
                </del>{" "}
                →{" "}
                <ins>
                  <span class="visually-hidden">{t("common.added")}</span>
                  {props.current.title}
                </ins>
              </p>
            </Show>
            <TextDiff before={r().body} after={props.current.body} same={t("history.same")} />
            <p class="muted">{t("history.text")}</p>
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
              {t("history.restore")}
            </button>
          </div>
        )}
      </Show>
      <ErrorText message={restoring.error()} prefix={t("history.notRestored")} />
    </div>
  );
}
