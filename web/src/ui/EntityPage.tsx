import { Show } from "solid-js";
import { createLiveQuery } from "../db/live";
import { getEntity } from "../entities/entitiesRepo";
import { useDb } from "./dbContext";
import { VirtualNoteList } from "./VirtualNoteList";
import { t } from "../i18n/i18n";

const SIGIL: Record<string, string> = { tag: "#", person: "@", link: "[[" };

/** A tag, person or link target, and every note that mentions it (archived ones too), however many. */
export function EntityPage(props: { entityId: string; onOpen: (id: string) => void }) {
  const { client } = useDb();
  const entity = createLiveQuery(client, (d) => getEntity(d, props.entityId), () => props.entityId);
  return (
    <section class="list-pane" aria-label={t("entity.label")}>
      <Show when={entity.data()} fallback={<p class="muted">{entity.runs() > 0 ? t("entity.gone") : t("common.loading")}</p>}>
        {(e) => (
          <h2 class="entity-title">
            {SIGIL[e().kind] ?? ""}
            {e().name}
            {e().kind === "link" ? "]]" : ""}
          </h2>
        )}
      </Show>
      <VirtualNoteList
        filter={{ section: "notTrashed", entityIds: [props.entityId] }}
        sort="edited"
        onOpen={props.onOpen}
        empty={t("entity.noNotes")}
        label={t("entity.notes")}
      />
    </section>
  );
}
