import { createSignal, For, Show } from "solid-js";
import { createLiveQuery } from "../db/live";
import { listEntities } from "../entities/entitiesRepo";
import type { NoteFilter } from "../notes/notesRepo";
import { deleteView, getView, listViews, parseFilter, saveView, snapshotNotes, snapshotsOf, takeSnapshot } from "../views/viewsRepo";
import { createAction } from "./action";
import { useDb } from "./dbContext";
import { VirtualNoteList } from "./VirtualNoteList";
import { ErrorText } from "./ErrorText";
import { formatDateTime, isoDateTime, plural, t } from "../i18n/i18n";

/** Saved filters over notes, and dated snapshots of their results that open offline. */
/** `view` is the open view (from the URL); `onView` opens another or closes it. */
export function ViewsPane(props: { onOpen: (id: string) => void; view?: string; onView: (id: string | undefined) => void }) {
  const { client, db } = useDb();
  const views = createLiveQuery(client, (d) => listViews(d));
  const tags = createLiveQuery(client, (d) => listEntities(d));
  const open = () => props.view;
  const setOpen = (id: string | undefined) => props.onView(id);
  const [name, setName] = createSignal("");
  const [filter, setFilter] = createSignal<NoteFilter>({});
  const saving = createAction();

  const create = (e: SubmitEvent) => {
    e.preventDefault();
    if (!name().trim()) return;
    void saving.run(async () => {
      setOpen(await saveView(db, name().trim(), filter()));
      setName("");
      setFilter({});
    });
  };
  const dateValue = (ms?: number) => (ms === undefined ? "" : (isoDateTime(ms)?.slice(0, 10) ?? ""));
  const toggleEntity = (id: string) =>
    setFilter((f) => {
      const ids = new Set(f.entityIds ?? []);
      if (ids.has(id)) ids.delete(id);
      else ids.add(id);
      return { ...f, entityIds: [...ids] };
    });

  return (
    <section class="list-pane" aria-label={t("views.label")}>
      <h2>{t("views.title")}</h2>
      <form class="stack view-form" onSubmit={create}>
        <label>
          {t("views.name")}
          <input value={name()} onInput={(e) => setName(e.currentTarget.value)} placeholder={t("views.namePlaceholder")} />
        </label>
        <label>
          {t("views.words")}
          <input value={filter().text ?? ""} onInput={(e) => setFilter((f) => ({ ...f, text: e.currentTarget.value || undefined }))} placeholder={t("views.optional")} />
        </label>
        <fieldset>
          <legend>{t("views.mustMention")}</legend>
          <For each={tags.data()} fallback={<span class="muted">{t("views.noEntities")}</span>}>
            {(t) => (
              <label class="check">
                <input type="checkbox" checked={(filter().entityIds ?? []).includes(t.id)} onChange={() => toggleEntity(t.id)} />
                {t.kind === "tag" ? "#" : "@"}
                {t.name}
              </label>
            )}
          </For>
        </fieldset>
        <label class="check">
          <input type="checkbox" checked={filter().pinnedOnly ?? false} onChange={(e) => setFilter((f) => ({ ...f, pinnedOnly: e.currentTarget.checked }))} />
          {t("views.pinnedOnly")}
        </label>
        <label class="check">
          <input type="checkbox" checked={filter().section === "archived"} onChange={(e) => setFilter((f) => ({ ...f, section: e.currentTarget.checked ? "archived" : "active" }))} />
          {t("views.archived")}
        </label>
        <div class="inline">
          <label>
            {t("views.from")}
            <input type="date" value={dateValue(filter().from)} onInput={(e) => setFilter((f) => ({ ...f, from: e.currentTarget.value ? Date.parse(e.currentTarget.value) : undefined }))} />
          </label>
          <label>
            {t("views.to")}
            <input type="date" value={dateValue(filter().to)} onInput={(e) => setFilter((f) => ({ ...f, to: e.currentTarget.value ? Date.parse(e.currentTarget.value) + 86_399_999 : undefined }))} />
          </label>
        </div>
        <button type="submit" disabled={!name().trim()}>
          {t("views.save")}
        </button>
      </form>
      <ErrorText message={saving.error()} />
      <ul class="view-list" aria-label={t("views.label")}>
        <For each={views.data()} fallback={<li class="empty">{t("views.none")}</li>}>
          {(v) => (
            <li>
              <button type="button" class="link" aria-expanded={open() === v.id} onClick={() => setOpen(open() === v.id ? undefined : v.id)}>
                {v.name}
              </button>
            </li>
          )}
        </For>
      </ul>
      <Show when={open()} keyed>
        {(id) => <OpenView viewId={id} onOpen={props.onOpen} onDeleted={() => setOpen(undefined)} />}
      </Show>
    </section>
  );
}

function OpenView(props: { viewId: string; onOpen: (id: string) => void; onDeleted: () => void }) {
  const { client, db } = useDb();
  const view = createLiveQuery(client, (d) => getView(d, props.viewId));
  const snapshots = createLiveQuery(client, (d) => snapshotsOf(d, props.viewId));
  const [shown, setShown] = createSignal<string>();
  const snapshotting = createAction();
  return (
    <Show when={view.data()}>
      {(v) => (
        <div class="open-view" aria-label={t("views.viewLabel", { name: v().name })}>
          <div class="inline">
            <h3>{v().name}</h3>
            <button type="button" onClick={() => void snapshotting.run(() => takeSnapshot(db, v()))}>
              {t("views.snapshot")}
            </button>
            <button type="button" class="danger" onClick={() => void deleteView(db, v().id).then(props.onDeleted)}>
              {t("views.delete")}
            </button>
          </div>
          <ErrorText message={snapshotting.error()} />
          <VirtualNoteList filter={parseFilter(v().filter)} sort="edited" onOpen={props.onOpen} empty={t("views.noMatch")} label={t("views.notesIn")} />
          <h3>{t("views.snapshots")}</h3>
          <ul class="snapshot-list" aria-label={t("views.snapshots")}>
            <For each={snapshots.data()} fallback={<li class="muted">{t("views.noSnapshots")}</li>}>
              {(s) => (
                <li>
                  <button type="button" class="link" onClick={() => setShown(shown() === s.id ? undefined : s.id)}>
                    {formatDateTime(s.takenAt)} · {plural("common.noteCount", snapshotNotes(s).length)}
                  </button>
                  <Show when={shown() === s.id}>
                    <ul class="snapshot-notes" aria-label={t("views.snapshotContents")}>
                      <For each={snapshotNotes(s)}>{(n) => <li>{n.title || t("common.untitled")}</li>}</For>
                    </ul>
                  </Show>
                </li>
              )}
            </For>
          </ul>
        </div>
      )}
    </Show>
  );
}
