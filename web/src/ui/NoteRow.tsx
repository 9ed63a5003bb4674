import { Show, type Accessor } from "solid-js";
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
  const edited = () => isoDateTime(props.note.updatedAt);
  return (
    <button type="button" class="note-open" data-index={props.index} onClick={() => props.onOpen(props.note.id)}>
      <span class="note-line">
        <Show when={props.note.pinned === 1}>
          <span class="note-pin" role="img" aria-label={t("notes.pinned")} title={t("notes.pinned")}>
            📌
          </span>
        </Show>
        <span class="note-title">{props.note.title || t("common.untitled")}</span>
        <time
          class="note-time muted"
          dateTime={edited()}
          title={edited() === undefined ? undefined : t("notes.edited", { when: formatDateTime(props.note.updatedAt) })}
        >
          {relativeTime(props.note.updatedAt, props.now(), locale())}
        </time>
      </span>
      <span class="note-line">
        <span class="note-snippet muted">{plainText(props.note.body)}</span>
        <Show when={props.conflicted}>
          <span class="note-versions">{plural("notes.versions", 2)}</span>
        </Show>
      </span>
    </button>
  );
}
