import { createResource, createSignal, Show, type Accessor } from "solid-js";
import type { SyncStatus } from "../../../shared/syncStatus";
import { SyncActivity } from "./SyncActivity";
import { download, exportJson, exportMarkdownZip } from "../backup/backup";
import type { DbStatus } from "../db/protocol";
import { createAction } from "./action";
import { useDb } from "./dbContext";
import { ErrorText } from "./ErrorText";
import { ImportButton } from "./ImportButton";
import { SyncSettings } from "./SyncSettings";

const mb = (bytes = 0) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const STORAGE_NAMES = { opfs: "this device's private file system (OPFS)", idb: "IndexedDB", memory: "memory only: nothing is kept" } as const;

/** Sync and devices, storage, export and import. */
export function SettingsPane(props: { sync: Accessor<SyncStatus>; storage: Accessor<DbStatus>; onClose: () => void }) {
  const { client, db } = useDb();
  const [estimate, { refetch }] = createResource(async () => {
    const [usage, persisted] = await Promise.all([navigator.storage?.estimate?.(), navigator.storage?.persisted?.()]);
    return { usage, persisted };
  });
  const [persistAnswer, setPersistAnswer] = createSignal<string>();
  const exporting = createAction();
  const stamp = () => new Date().toISOString().slice(0, 10);

  const requestPersist = async () => {
    const granted = await navigator.storage?.persist?.();
    setPersistAnswer(
      granted
        ? "Granted: the browser will not evict your notes when space runs low."
        : "Not granted by the browser (it decides from how you use the site; installing the app helps). Your notes are still saved; keep a backup or sync.",
    );
    void refetch();
  };
  const exportAs = (kind: "json" | "zip") =>
    exporting.run(async () => {
      if (kind === "json") download(await exportJson(client), `cobrain-backup-${stamp()}.json`);
      else download(await exportMarkdownZip(db), `cobrain-notes-${stamp()}.zip`);
    });

  return (
    <section class="settings" aria-label="Settings">
      <SyncSettings status={props.sync} onClose={props.onClose} />
      <SyncActivity status={props.sync} />
      <section class="panel" aria-labelledby="storage-title">
        <h2 id="storage-title">Storage</h2>
        <p>
          Notes are stored in {props.storage().storage ? STORAGE_NAMES[props.storage().storage!] : "…"}.
          <Show when={estimate()?.usage}>
            {" "}
            Using {mb(estimate()!.usage!.usage)} of {mb(estimate()!.usage!.quota)} available.
          </Show>
        </p>
        <p data-persisted={String(estimate()?.persisted ?? false)}>
          {estimate()?.persisted ? "Storage is persistent: the browser will not clear it on its own." : "Storage is not marked persistent: under pressure the browser may clear it."}
        </p>
        <Show when={!estimate()?.persisted}>
          <button type="button" onClick={() => void requestPersist()}>
            Ask to keep storage persistent
          </button>
        </Show>
        <Show when={persistAnswer()}>
          <p class="muted" role="status">
            {persistAnswer()}
          </p>
        </Show>
      </section>
      <section class="panel" aria-labelledby="backup-title">
        <h2 id="backup-title">Export and import</h2>
        <div class="inline">
          <button type="button" disabled={exporting.pending()} onClick={() => void exportAs("json")}>
            Export full backup (JSON)
          </button>
          <button type="button" disabled={exporting.pending()} onClick={() => void exportAs("zip")}>
            Export notes as Markdown (zip)
          </button>
        </div>
        <ErrorText message={exporting.error()} />
        <ImportButton />
      </section>
    </section>
  );
}
