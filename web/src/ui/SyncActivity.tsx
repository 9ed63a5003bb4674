import { desc } from "drizzle-orm";
import { For, Show, type Accessor } from "solid-js";
import { SYNC_ACTIVITY_KEEP } from "../../../shared/constants";
import { syncActivity } from "../../../shared/schema";
import type { SyncStatus } from "../../../shared/syncStatus";
import { createLiveQuery } from "../db/live";
import { useDb } from "./dbContext";
import { formatNumber, formatTime, isoDateTime, t } from "../i18n/i18n";
import { actionWords, problemWords } from "../i18n/syncWords";

/**
 * What sync is doing and did, opened from the sync indicator (it opens Settings): the problem and
 * what to do, the changes held aside, and the activity log kept on this device.
 */
export function SyncActivity(props: { status: Accessor<SyncStatus> }) {
  const { client } = useDb();
  const log = createLiveQuery(client, (db) => db.select().from(syncActivity).orderBy(desc(syncActivity.id)).limit(SYNC_ACTIVITY_KEEP));
  return (
    <section class="panel sync-activity" aria-labelledby="sync-activity-title">
      <h2 id="sync-activity-title">{t("activity.title")}</h2>
      <Show when={props.status().problem}>
        <p class="error sync-problem" role="alert">
          {problemWords(props.status())}: {props.status().reason} — {actionWords(props.status())}
        </p>
      </Show>
      <Show when={props.status().held?.length}>
        <p>{t("activity.heldIntro", { action: actionWords(props.status()) ?? "" })}</p>
        <ul class="sync-held" aria-label={t("activity.heldLabel")}>
          <For each={props.status().held}>
            {(h) => (
              <li>
                {h.table === "notes" ? t("activity.heldNote", { title: h.title || t("common.untitled") }) : `${h.table} ${h.id}`} ({h.column}, {t("common.kilobytes", { count: formatNumber(Math.ceil(h.bytes / 1024)) })})
              </li>
            )}
          </For>
        </ul>
      </Show>
      <ol class="sync-log" aria-label={t("activity.log")}>
        <For each={log.data()} fallback={<li class="muted">{t("activity.nothingYet")}</li>}>
          {(entry) => (
            <li data-kind={entry.kind}>
              <time datetime={isoDateTime(entry.at)}>{formatTime(entry.at)}</time> {entry.detail}
            </li>
          )}
        </For>
      </ol>
    </section>
  );
}
