import { For, Show } from "solid-js";
import { createLiveQuery } from "../db/live";
import { searchNotes } from "../search/searchRepo";
import { useDb } from "./dbContext";
import { Highlight } from "./Highlight";
import { plainText } from "../markdown/plainText";
import { t } from "../i18n/i18n";

/** Results as you type, with the matched words highlighted (snippets without Markdown syntax); follows edits and sync. */
export function SearchResults(props: { query: string; onOpen: (id: string) => void }) {
  const hits = createLiveQuery(useDb().client, (d) => searchNotes(d, props.query), () => props.query);
  return (
    <section class="list-pane" aria-label={t("search.results")}>
      <Show when={(hits.data() ?? []).length > 0} fallback={<p class="empty">{hits.runs() > 0 ? t("search.nothing", { query: props.query }) : t("search.searching")}</p>}>
        <ul class="note-list search-results" aria-label={t("search.results")}>
          <For each={hits.data()}>
            {(hit) => (
              <li class="note" data-id={hit.id}>
                <button type="button" class="note-open" onClick={() => props.onOpen(hit.id)}>
                  <span class="note-title">
                    <Highlight value={hit.title || t("common.untitled")} />
                  </span>
                  <span class="note-snippet muted">
                    <Highlight value={plainText(hit.snippet)} />
                  </span>
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </section>
  );
}
