import { createResource, Show, type Accessor } from "solid-js";
import type { DbStatus } from "../db/protocol";
import { lastAnswer, persistState, requestPersistence } from "../storage/persistence";
import { createAction } from "./action";
import { ErrorText } from "./ErrorText";

const mb = (bytes = 0) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const STORAGE_NAMES = { opfs: "this device's private file system (OPFS)", idb: "IndexedDB", memory: "memory only: nothing is kept" } as const;
const WHEN = { "first-note": "when you saved your first note", installed: "when you installed the app", settings: "when you asked" } as const;

/** Where notes are stored, how much, and whether the browser promised to keep them, in plain words. */
export function StorageSettings(props: { storage: Accessor<DbStatus> }) {
  const [info, { refetch }] = createResource(async () => ({ usage: await navigator.storage?.estimate?.(), state: await persistState(), answer: lastAnswer() }));
  const asking = createAction();
  const ask = () =>
    asking.run(async () => {
      await requestPersistence("settings");
      await refetch();
    });
  return (
    <section class="panel" aria-labelledby="storage-title">
      <h2 id="storage-title">Storage</h2>
      <p>
        Notes are stored in {props.storage().storage ? STORAGE_NAMES[props.storage().storage!] : "…"}.
        <Show when={info()?.usage}>
          {" "}
          Using {mb(info()!.usage!.usage)} of {mb(info()!.usage!.quota)} available.
        </Show>
      </p>
      <div class="persistence" data-persist-state={info()?.state} role="status">
        <Show when={info()?.state === "persisted"}>
          <p>
            <strong>Kept:</strong> the browser has promised not to clear your notes to free space.
          </p>
        </Show>
        <Show when={info()?.state === "refused"}>
          <p>
            <strong>Not promised:</strong> the browser was asked to keep your notes {WHEN[info()!.answer!.reason]} and said no. It may delete them
            when the device runs low on space, and Safari deletes a site's data after 7 days without a visit.
          </p>
          <p>
            <strong>Install CoBrain</strong> (your browser's <em>Install app</em> or <em>Add to Home Screen</em>): browsers keep an installed app's
            data, and this device will ask again after installing. Until then, sync with another device or export a backup.
          </p>
        </Show>
        <Show when={info()?.state === "not-asked"}>
          <p>Not asked yet: the browser will be asked to keep your notes when you save your first one.</p>
        </Show>
        <Show when={info()?.state === "unsupported"}>
          <p>This browser cannot promise to keep storage. Sync with another device or export a backup to keep a copy.</p>
        </Show>
      </div>
      <Show when={info() && info()!.state !== "persisted" && info()!.state !== "unsupported"}>
        <button type="button" disabled={asking.pending()} onClick={() => void ask()}>
          Ask the browser to keep my notes
        </button>
      </Show>
      <ErrorText message={asking.error()} />
    </section>
  );
}
