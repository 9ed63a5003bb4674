import { createMemo, Show, type Accessor } from "solid-js";
import { relativeTime } from "../list/relativeTime";
import { plainText } from "../markdown/plainText";
import { formatDateTime, isoDateTime, locale, plural, t } from "../i18n/i18n";

/** What a row shows; `body` may be only its start. */
export interface NoteRowNote {
  id: string;
  title: string;
  body: string;
  pinned: number;
  updatedAt: number;
}

/**
 * One note in a list: title, a pinned mark, the edited time in words, a one-line snippet without
 * Markdown syntax, and "2 versions" while a conflict is open.
 */
export function NoteRow(props: { note: NoteRowNote; now: Accessor<number>; conflicted: boolean; onOpen: (id: string) => void; index?: number }) {
  // Every re-read of the list (after any write) hands each row a new object. Through these memos a
  // row recomputes its snippet and times, and writes its DOM, only when its own values changed.
  const title = createMemo(() => props.note.title || t("common.untitled"));
  const body = createMemo(() => props.note.body);
  const updatedAt = createMemo(() => props.note.updatedAt);
  const snippet = createMemo(() => plainText(body()));
  const edited = createMemo(() => isoDateTime(updatedAt()));
  const editedTitle = createMemo(() => (edited() === undefined ? undefined : t("notes.edited", { when: formatDateTime(updatedAt()) })));
  const ago = createMemo(() => relativeTime(updatedAt(), props.now(), locale()));
  return (
    <button type="button" class="note-open" data-index={props.index} onClick={() => props.onOpen(props.note.id)}>
      <span class="note-line">
        <Show when={props.note.pinned === 1}>
          <span class="note-pin" role="img" aria-label={t("notes.pinned")} title={t("notes.pinned")}>
            📌
          </span>
        </Show>
        <span class="note-title">{title()}</span>
        <time class="note-time muted" dateTime={edited()} title={editedTitle()}>
          {ago()}
        </time>
      </span>
      <span class="note-line">
        <span class="note-snippet muted">{snippet()}</span>
        <Show when={props.conflicted}>
          <span class="note-versions">{plural("notes.versions", 2)}</span>
        </Show>
      </span>
    </button>
  );
}
