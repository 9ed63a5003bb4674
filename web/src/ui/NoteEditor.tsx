import { createEffect, createSignal, For, lazy, onCleanup, Show, Suspense, untrack } from "solid-js";
import { AUTOSAVE_DELAY_MS } from "../../../shared/constants";
import { createLiveQuery } from "../db/live";
import { backlinks, entitiesOfNote } from "../entities/entitiesRepo";
import { openConflicts, resolveConflict, type Resolution } from "../notes/conflictsRepo";
import { deleteNote, getNote, moveToTrash, restoreFromTrash, saveNoteText, updateNote } from "../notes/notesRepo";
import { notePresence } from "../notes/notePresence";
import { caretsAfterChange } from "./caret";
import { NoteDraft, type Field, type Texts, type UnsavedWork } from "./noteDraft";
import { currentEpoch, forgetTyping, isSavedIn, keepTyping, keptTypingOf } from "./keptTyping";
import { HistoryPanel } from "./HistoryPanel";
import { addReminder, deleteReminder, markDone, markUndone, remindersOfNote } from "../reminders/remindersRepo";
import { createAction } from "./action";
import { useDb } from "./dbContext";
import { ErrorText } from "./ErrorText";
import { linkPath } from "./navigation";
import "./editor.css";
import { formatDateTime, isoDateTime, plural, t } from "../i18n/i18n";

/** The Markdown parser and sanitiser load only when a body is first read (not in the first paint). */
const MarkdownView = lazy(() => import("../markdown/MarkdownView"));

/** Whether bodies open for editing or reading: one tap switches, and the device remembers it. */
type BodyMode = "edit" | "read";
const BODY_MODE_KEY = "cobrain.bodyMode";
const storedMode = (): BodyMode => {
  try {
    return localStorage.getItem(BODY_MODE_KEY) === "read" ? "read" : "edit";
  } catch {
    return "edit"; // storage refused (some private windows): start in edit
  }
};

const SIGIL: Record<string, string> = { tag: "#", person: "@", link: "→ " };

/** Typing whose save failed as its editor went away (the note closed, another opened). */
export interface LeftUnsaved {
  noteId: string;
  title: string;
  work: UnsavedWork;
  /** Why the save failed; empty when an earlier visit's page closed before it was known to be saved. */
  error: string;
  /** A copy an earlier visit kept (keptTyping.ts): the editor takes it from there itself, as not known to be saved. */
  fromEarlierVisit?: boolean;
}

/**
 * Edits one note with autosave: no save button. Keystrokes are saved after a short pause, and at
 * once on blur, when the page is hidden and before the database is released. Only the fields the
 * user edited are written. Edits arriving from other devices show up at once, also in the field
 * being typed in: merged with what is typed and not saved yet, the caret kept in place.
 */
export function NoteEditor(props: {
  noteId: string;
  /** Put the cursor in the title once it shows (a note just made from the keyboard). */
  autoFocus?: boolean;
  onFocused?: () => void;
  onClose: () => void;
  onOpenEntity: (id: string) => void;
  onOpenNote: (id: string) => void;
  /** A link inside the app, from the read view or a [[link]] chip. */
  onOpenPath: (path: string) => void;
  /** Typing an earlier editor of this note left unsaved: shown, merged with the note, and saved again. */
  unsaved?: UnsavedWork;
  onTookUnsaved?: () => void;
  /** This editor went away with typing it could not save: nothing else would say so. */
  onLeftUnsaved?: (left: LeftUnsaved) => void;
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
  const conflicts = createLiveQuery(client, (d) => openConflicts(d, props.noteId));
  const presence = createLiveQuery(client, (d) => notePresence(d, props.noteId));
  const [mode, setModeSignal] = createSignal<BodyMode>(storedMode());
  const setMode = (m: BodyMode) => {
    setModeSignal(m);
    try {
      localStorage.setItem(BODY_MODE_KEY, m);
    } catch {
      // not remembered; the switch still works for this note
    }
  };
  const [comparing, setComparing] = createSignal(false);
  const [showHistory, setShowHistory] = createSignal(false);
  const texts = new NoteDraft();
  // This editor's copies of typing not known to be saved (keptTyping.ts): it removes only its own,
  // and they belong to the erase epoch it opened in.
  const copies = { writer: crypto.randomUUID(), epoch: currentEpoch() };
  /** This device holds a copy of this note's typing that this editor wrote or took on. */
  let kept = false;
  const writeCopy = (work: UnsavedWork, title: string, error: string) => {
    if (keepTyping({ noteId: props.noteId, title, work, error, ...copies })) kept = true;
  };
  /** Keeps a copy of whatever is not known to be saved yet (nothing if all is). */
  const keepCopy = (error = "") => {
    const work = texts.unsavedWork(true);
    if (work) writeCopy(work, texts.shown.title, error);
  };
  const forgetCopy = () => {
    if (!kept || texts.unsavedWork(true)) return;
    forgetTyping(props.noteId, copies.writer);
    kept = false;
  };
  // Typing an earlier editor of this note could not save, in this page's memory, or a copy an
  // earlier visit kept (the app reopened on this note, or it was opened from the list or the
  // banner). Either is taken on as this editor's own copy until saved.
  const handedOn = untrack(() => props.unsaved);
  let fromEarlierVisit = handedOn ? undefined : keptTypingOf(props.noteId);
  if (handedOn) {
    texts.restore(handedOn);
    keepCopy();
  } else if (fromEarlierVisit) {
    writeCopy(fromEarlierVisit.work, fromEarlierVisit.title, fromEarlierVisit.error);
  }
  if (handedOn || fromEarlierVisit) untrack(() => props.onTookUnsaved?.());
  const [draft, setDraft] = createSignal<Texts>(texts.shown);
  const inputs: Partial<Record<Field, HTMLInputElement | HTMLTextAreaElement>> = {};
  // Two actions, so that a button that works does not hide that the text is still unsaved.
  const saving = createAction();
  const acting = createAction();
  const [due, setDue] = createSignal("");
  let timer: ReturnType<typeof setTimeout> | undefined;

  /** Shows `next` (a stored read taken in), keeping the caret where it was in the text around it. */
  const show = (next: Texts) => {
    const shown = draft();
    for (const f of ["title", "body"] as const) {
      const el = inputs[f];
      if (el && document.activeElement === el && next[f] !== shown[f]) {
        const [start, end] = [el.selectionStart ?? 0, el.selectionEnd ?? 0];
        const [from, to] = caretsAfterChange(shown[f], next[f], [start, end]);
        queueMicrotask(() => el.setSelectionRange(from!, to!));
      }
    }
    setDraft(next);
  };

  let retryHandedOn = handedOn !== undefined;
  createEffect(() => {
    const current = note.data();
    if (!current) return;
    const earlier = fromEarlierVisit;
    fromEarlierVisit = undefined;
    if (earlier && isSavedIn(earlier, current)) {
      untrack(() => show(texts.stored(current)));
      forgetCopy(); // its save landed as that page closed
    } else if (earlier) {
      untrack(() => show(texts.restoreUncertain(earlier.work, current)));
      retryHandedOn = true;
    } else untrack(() => show(texts.stored(current)));
    if (retryHandedOn) {
      retryHandedOn = false; // saved again once merged with the note as it is now; a failure shows here
      void save();
    }
  });

  /** Writes what is unsaved; true if this save worked (its error is shown otherwise). */
  const saveNow = (): Promise<boolean> => {
    const pending = texts.beginSave();
    if (!pending) return Promise.resolve(true);
    return saving.run(() =>
      saveNoteText(db, props.noteId, pending.text, { shown: draft(), expected: pending.expected, keepStored: pending.keepStored }).then(
        () => {
          texts.saved(pending);
          forgetCopy();
        },
        (e: unknown) => {
          show(texts.failed(pending));
          throw e;
        },
      ),
    );
  };
  /**
   * Saves one at a time: each expects the text the one before sent, so it can tell another
   * device's change from its own earlier write (two at once would merge with each other, and a
   * word deleted between them could come back). A save asked for as the page goes away waits for
   * one on its way, usually a few milliseconds; a page that closes sooner loses what was typed
   * during them.
   */
  let saves: Promise<unknown> = Promise.resolve();
  const save = (): Promise<boolean> => {
    clearTimeout(timer);
    timer = undefined;
    const run = saves.then(saveNow);
    saves = run;
    return run;
  };
  /** Before restoring a version: a failed save stops the restore, under the panel's own message. */
  const saveFirst = async () => {
    if (!(await save())) throw new Error(saving.error());
  };

  // Actions here stop at a failed save without an error of their own: the save's is shown, and
  // goes once the text is saved (an action's error would stay, and say "not saved" untruly).
  const resolve = (choice: Resolution) =>
    void acting.run(async () => {
      if (!(await save())) return;
      for (const conflict of conflicts.data() ?? []) await resolveConflict(db, conflict, choice);
      setComparing(false);
    });

  const edit = (field: Field, value: string) => {
    setDraft(texts.edit(field, value));
    clearTimeout(timer);
    timer = setTimeout(() => void save(), AUTOSAVE_DELAY_MS);
  };

  // A hidden page may be closed or killed without another word (a phone switching apps), and a
  // closing one may be gone before its last save lands: a copy is kept first, synchronously.
  const onHidden = () => {
    if (document.visibilityState !== "hidden") return;
    void save();
    keepCopy();
  };
  const onPageHide = () => keepCopy();
  document.addEventListener("visibilitychange", onHidden);
  window.addEventListener("pagehide", onPageHide);
  const unregister = client.beforeSuspend(() => void save());
  onCleanup(() => {
    void save().then((ok) => {
      const work = ok ? undefined : texts.unsavedWork();
      if (!work) return;
      const error = saving.error() ?? "";
      props.onLeftUnsaved?.({ noteId: props.noteId, title: texts.shown.title, work, error });
      keepCopy(error);
    });
    unregister();
    document.removeEventListener("visibilitychange", onHidden);
    window.removeEventListener("pagehide", onPageHide);
  });

  const field = (name: Field) => ({
    value: draft()[name],
    onInput: (e: InputEvent & { currentTarget: HTMLInputElement | HTMLTextAreaElement }) => edit(name, e.currentTarget.value),
    ref: (el: HTMLInputElement | HTMLTextAreaElement) => (inputs[name] = el),
    onBlur: () => void save(),
  });

  const act = (action: () => Promise<unknown>) => void acting.run(action);
  /**
   * Closes the note once `action` is done (unless it answered false: it stopped), and unless the
   * person went somewhere else meanwhile (a tab, another note): going back then would take them
   * away from where they went.
   */
  const closeAfter = (action: () => Promise<unknown>) => {
    const at = location.href;
    act(() => action().then((done) => done !== false && location.href === at && props.onClose()));
  };

  return (
    <section class="editor" aria-label={t("editor.label")}>
      <Show when={note.runs() > 0 && !note.data() && presence.data()}>
        {(why) => (
          <>
            <div class="editor-bar">
              <button type="button" class="ghost" onClick={props.onClose} aria-label={t("common.backToNotes")}>
                ←
              </button>
            </div>
            <p class="muted" role="status">
              {why() === "deleted" ? t("editor.deleted") : t("editor.notHere")}
            </p>
          </>
        )}
      </Show>
      <Show when={note.data()}>
        {(current) => (
          <>
            <div class="editor-bar">
              <button type="button" class="ghost" onClick={props.onClose} aria-label={t("common.backToNotes")}>
                ←
              </button>
              <Show
                when={current().trashedAt === null}
                fallback={
                  <>
                    <button type="button" onClick={() => act(() => restoreFromTrash(db, props.noteId))}>
                      {t("editor.restore")}
                    </button>
                    <button
                      type="button"
                      class="danger"
                      onClick={() => {
                        texts.discard();
                        closeAfter(() => deleteNote(db, props.noteId).then(() => forgetTyping(props.noteId)));
                      }}
                    >
                      {t("editor.deleteForever")}
                    </button>
                  </>
                }
              >
                <button type="button" aria-pressed={current().pinned === 1} onClick={() => act(() => updateNote(db, props.noteId, { pinned: current().pinned === 1 ? 0 : 1 }))}>
                  {current().pinned === 1 ? t("editor.unpin") : t("editor.pin")}
                </button>
                <button type="button" onClick={() => act(() => updateNote(db, props.noteId, { archived: current().archived === 1 ? 0 : 1 }))}>
                  {current().archived === 1 ? t("editor.unarchive") : t("editor.archive")}
                </button>
                <button type="button" class="danger" onClick={() => closeAfter(async () => (await save()) && moveToTrash(db, props.noteId).then(() => true))}>
                  {t("editor.trash")}
                </button>
              </Show>
              <button type="button" aria-expanded={showHistory()} onClick={() => setShowHistory(!showHistory())}>
                {t("editor.history")}
              </button>
            </div>
            <Show when={showHistory()}>
              <HistoryPanel noteId={props.noteId} current={current()} beforeRestore={saveFirst} />
            </Show>
            <Show when={(conflicts.data() ?? []).length > 0}>
              <button type="button" class="note-versions" aria-expanded={comparing()} onClick={() => setComparing(!comparing())}>
                {plural("notes.versions", (conflicts.data() ?? []).length + 1)}
              </button>
            </Show>
            <Show when={comparing() && (conflicts.data() ?? [])[0]}>
              {(other) => (
                <div class="versions" aria-label={t("editor.compare")}>
                  <p class="muted">{t("editor.conflict")}</p>
                  <div class="versions-side-by-side">
                    <section aria-label={t("editor.thisVersion")}>
                      <h3>{t("editor.thisVersion")}</h3>
                      <strong>{current().title}</strong>
                      <pre>{current().body}</pre>
                    </section>
                    <section aria-label={t("editor.otherVersion")}>
                      <h3>{t("editor.otherVersion")}</h3>
                      <strong>{other().title}</strong>
                      <pre>{other().body}</pre>
                    </section>
                  </div>
                  <div class="editor-bar">
                    <button type="button" onClick={() => resolve("current")}>
                      {t("editor.keepThis")}
                    </button>
                    <button type="button" onClick={() => resolve("other")}>
                      {t("editor.keepOther")}
                    </button>
                    <button type="button" onClick={() => resolve("both")}>
                      {t("editor.keepBoth")}
                    </button>
                  </div>
                  <p class="muted">{t("editor.combine")}</p>
                </div>
              )}
            </Show>
            <label class="visually-hidden" for="note-title">
              {t("editor.title")}
            </label>
            <input
              id="note-title"
              class="title-input"
              placeholder={t("editor.title")}
              {...field("title")}
              ref={(el) => {
                inputs.title = el;
                if (props.autoFocus) queueMicrotask(() => (el.focus(), props.onFocused?.()));
              }}
            />
            <div class="body-mode" role="group" aria-label={t("editor.mode")}>
              <button type="button" aria-pressed={mode() === "edit"} onClick={() => setMode("edit")}>
                {t("editor.edit")}
              </button>
              <button type="button" aria-pressed={mode() === "read"} onClick={() => (void save(), setMode("read"))}>
                {t("editor.read")}
              </button>
            </div>
            <Show
              when={mode() === "read"}
              fallback={
                <>
                  <label class="visually-hidden" for="note-body">
                    {t("editor.body")}
                  </label>
                  <textarea id="note-body" class="body-input" placeholder={t("editor.bodyPlaceholder")} rows={12} {...field("body")} />
                </>
              }
            >
              <Suspense fallback={<p class="muted">{t("common.loading")}</p>}>
                <MarkdownView
                  text={draft().body}
                  onText={(next) => {
                    edit("body", next);
                    void save();
                  }}
                  onOpenPath={props.onOpenPath}
                />
              </Suspense>
            </Show>
            <Show when={(mentions.data() ?? []).length > 0}>
              <ul class="chips" aria-label={t("editor.mentions")}>
                <For each={mentions.data()}>
                  {(e) => (
                    <li>
                      <button type="button" class={`chip chip-${e.kind}`} onClick={() => (e.kind === "link" ? props.onOpenPath(linkPath(e.name)) : props.onOpenEntity(e.id))}>
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
                <h3>{t("editor.linkedFrom")}</h3>
                <ul aria-label={t("editor.backlinks")}>
                  <For each={linking.data()}>
                    {(n) => (
                      <li>
                        <button type="button" class="link" onClick={() => props.onOpenNote(n.id)}>
                          {n.title || t("common.untitled")}
                        </button>
                      </li>
                    )}
                  </For>
                </ul>
              </div>
            </Show>
            <div class="reminders-editor">
              <h3>{t("common.reminders")}</h3>
              <form
                class="inline"
                onSubmit={(e) => {
                  e.preventDefault();
                  const at = Date.parse(due());
                  if (!Number.isNaN(at)) act(() => addReminder(db, props.noteId, at).then(() => setDue("")));
                }}
              >
                <label>
                  <span class="visually-hidden">{t("editor.remindAt")}</span>
                  <input type="datetime-local" value={due()} onInput={(e) => setDue(e.currentTarget.value)} aria-label={t("editor.remindAt")} />
                </label>
                <button type="submit" disabled={!due()}>
                  {t("editor.addReminder")}
                </button>
              </form>
              <ul aria-label={t("editor.noteReminders")}>
                <For each={reminders.data()}>
                  {(r) => (
                    <li classList={{ done: r.doneAt !== null }}>
                      <time dateTime={isoDateTime(r.dueAt)}>{formatDateTime(r.dueAt)}</time>{" "}
                      <button type="button" onClick={() => act(() => (r.doneAt === null ? markDone(db, r.id) : markUndone(db, r.id)))}>
                        {r.doneAt === null ? t("common.done") : t("editor.undo")}
                      </button>{" "}
                      <button type="button" class="ghost" aria-label={t("editor.removeReminder")} onClick={() => act(() => deleteReminder(db, r.id))}>
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
      <ErrorText message={saving.error() ?? acting.error()} prefix={t("common.notSaved")} />
    </section>
  );
}
