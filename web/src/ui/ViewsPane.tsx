import { createSignal, For, Show } from "solid-js";
import type { DbClient } from "../db/client";
import type { AppDatabase } from "../db/drizzle";
import { createLiveQuery } from "../db/live";
import { listEntities } from "../entities/entitiesRepo";
import type { NoteFilter } from "../notes/notesRepo";
import { deleteView, getView, listViews, runView, saveView, snapshotNotes, snapshotsOf, takeSnapshot } from "../views/viewsRepo";
import { NoteList } from "./NoteList";
import { ErrorText } from "./ErrorText";

/** Saved filters over notes, and dated snapshots of their results that open offline. */
export function ViewsPane(props: { client: DbClient; db: AppDatabase; onOpen: (id: string) => void }) {
  const views = createLiveQuery(props.client, (d) => listViews(d));
  const tags = createLiveQuery(props.client, (d) => listEntities(d));
  const [open, setOpen] = createSignal<string>();
  const [name, setName] = createSignal("");
  const [filter, setFilter] = createSignal<NoteFilter>({});
  const [error, setError] = createSignal<string>();

  const create = async (e: SubmitEvent) => {
    e.preventDefault();
    if (!name().trim()) return;
    try {
      setOpen(await saveView(props.db, name().trim(), filter()));
      setName("");
      setFilter({});
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  const dateValue = (ms?: number) => (ms === undefined ? "" : new Date(ms).toISOString().slice(0, 10));
  const toggleEntity = (id: string) =>
    setFilter((f) => {
      const ids = new Set(f.entityIds ?? []);
      if (ids.has(id)) ids.delete(id);
      else ids.add(id);
      return { ...f, entityIds: [...ids] };
    });

  return (
    <section class="list-pane" aria-label="Views">
      <h2>Saved views</h2>
      <form class="stack view-form" onSubmit={create}>
        <label>
          View name
          <input value={name()} onInput={(e) => setName(e.currentTarget.value)} placeholder="e.g. Travel plans" />
        </label>
        <label>
          Containing words
          <input value={filter().text ?? ""} onInput={(e) => setFilter((f) => ({ ...f, text: e.currentTarget.value || undefined }))} placeholder="optional" />
        </label>
        <fieldset>
          <legend>Must mention</legend>
          <For each={tags.data()} fallback={<span class="muted">No tags or people yet.</span>}>
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
          Pinned only
        </label>
        <label class="check">
          <input type="checkbox" checked={filter().section === "archived"} onChange={(e) => setFilter((f) => ({ ...f, section: e.currentTarget.checked ? "archived" : "active" }))} />
          Archived notes instead of active ones
        </label>
        <div class="inline">
          <label>
            Edited from
            <input type="date" value={dateValue(filter().from)} onInput={(e) => setFilter((f) => ({ ...f, from: e.currentTarget.value ? Date.parse(e.currentTarget.value) : undefined }))} />
          </label>
          <label>
            to
            <input type="date" value={dateValue(filter().to)} onInput={(e) => setFilter((f) => ({ ...f, to: e.currentTarget.value ? Date.parse(e.currentTarget.value) + 86_399_999 : undefined }))} />
          </label>
        </div>
        <button type="submit" disabled={!name().trim()}>
          Save view
        </button>
      </form>
      <ErrorText message={error()} />
      <ul class="view-list" aria-label="Views">
        <For each={views.data()} fallback={<li class="empty">No saved views yet.</li>}>
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
        {(id) => <OpenView client={props.client} db={props.db} viewId={id} onOpen={props.onOpen} onDeleted={() => setOpen(undefined)} />}
      </Show>
    </section>
  );
}

function OpenView(props: { client: DbClient; db: AppDatabase; viewId: string; onOpen: (id: string) => void; onDeleted: () => void }) {
  const view = createLiveQuery(props.client, (d) => getView(d, props.viewId));
  const notes = createLiveQuery(props.client, async (d) => {
    const v = await getView(d, props.viewId);
    return v ? runView(d, v) : [];
  });
  const snapshots = createLiveQuery(props.client, (d) => snapshotsOf(d, props.viewId));
  const [shown, setShown] = createSignal<string>();
  return (
    <Show when={view.data()}>
      {(v) => (
        <div class="open-view" aria-label={`View ${v().name}`}>
          <div class="inline">
            <h3>{v().name}</h3>
            <button type="button" onClick={() => void takeSnapshot(props.db, v())}>
              Save snapshot
            </button>
            <button type="button" class="danger" onClick={() => void deleteView(props.db, v().id).then(props.onDeleted)}>
              Delete view
            </button>
          </div>
          <NoteList notes={notes.data()} onOpen={props.onOpen} empty="No notes match this view right now." label="Notes in this view" />
          <h3>Snapshots</h3>
          <ul class="snapshot-list" aria-label="Snapshots">
            <For each={snapshots.data()} fallback={<li class="muted">No snapshots yet.</li>}>
              {(s) => (
                <li>
                  <button type="button" class="link" onClick={() => setShown(shown() === s.id ? undefined : s.id)}>
                    {new Date(s.takenAt).toLocaleString()} · {snapshotNotes(s).length} notes
                  </button>
                  <Show when={shown() === s.id}>
                    <ul class="snapshot-notes" aria-label="Snapshot contents">
                      <For each={snapshotNotes(s)}>{(n) => <li>{n.title || "Untitled"}</li>}</For>
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
