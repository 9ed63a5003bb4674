import type { Accessor } from "solid-js";
import type { SyncStatus } from "../../../shared/syncStatus";
import { SyncActivity } from "./SyncActivity";
import { download, exportJson, exportMarkdownZip } from "../backup/backup";
import type { DbStatus } from "../db/protocol";
import { createAction } from "./action";
import { useDb } from "./dbContext";
import { ErrorText } from "./ErrorText";
import { ImportButton } from "./ImportButton";
import { SyncSettings } from "./SyncSettings";
import { ReminderSettings } from "./ReminderSettings";
import { StorageSettings } from "./StorageSettings";
import { LanguageSettings } from "./LanguageSettings";
import { t } from "../i18n/i18n";

/** Sync and devices, storage, reminders, export and import. */
export function SettingsPane(props: { sync: Accessor<SyncStatus>; storage: Accessor<DbStatus>; onClose: () => void }) {
  const { client, db } = useDb();
  const exporting = createAction();
  const stamp = () => new Date().toISOString().slice(0, 10);

  const exportAs = (kind: "json" | "zip") =>
    exporting.run(async () => {
      if (kind === "json") download(await exportJson(client), `cobrain-backup-${stamp()}.json`);
      else download(await exportMarkdownZip(db), `cobrain-notes-${stamp()}.zip`);
    });

  return (
    <section class="settings" aria-label={t("settings.label")}>
      <SyncSettings status={props.sync} onClose={props.onClose} />
      <SyncActivity status={props.sync} />
      <StorageSettings storage={props.storage} />
      <ReminderSettings />
      <LanguageSettings />
      <section class="panel" aria-labelledby="backup-title">
        <h2 id="backup-title">{t("settings.backup")}</h2>
        <div class="inline">
          <button type="button" disabled={exporting.pending()} onClick={() => void exportAs("json")}>
            {t("settings.exportJson")}
          </button>
          <button type="button" disabled={exporting.pending()} onClick={() => void exportAs("zip")}>
            {t("settings.exportZip")}
          </button>
        </div>
        <ErrorText message={exporting.error()} />
        <ImportButton />
      </section>
    </section>
  );
}
