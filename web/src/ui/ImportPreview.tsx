import { For, Show } from "solid-js";
import { IMPORT_PREVIEW_NAMES } from "../../../shared/constants";
import type { ImportPlan } from "../backup/importPlan";

const notesWord = (n: number) => `${n} ${n === 1 ? "note" : "notes"}`;

/** One group of the preview: its count, and the first few titles. */
function Group(props: { label: string; titles: string[] }) {
  return (
    <Show when={props.titles.length > 0}>
      <li>
        {props.label}: {notesWord(props.titles.length)}
        <ul class="muted">
          <For each={props.titles.slice(0, IMPORT_PREVIEW_NAMES)}>{(title) => <li>{title}</li>}</For>
          <Show when={props.titles.length > IMPORT_PREVIEW_NAMES}>
            <li>and {props.titles.length - IMPORT_PREVIEW_NAMES} more</li>
          </Show>
        </ul>
      </li>
    </Show>
  );
}

/** What an import will do, asked before anything is written: Import or Cancel. */
export function ImportPreview(props: { fileName: string; plan: ImportPlan; busy: boolean; onImport: () => void; onCancel: () => void }) {
  return (
    <section class="panel import-preview" role="dialog" aria-modal="true" aria-labelledby="import-preview-title">
      <h2 id="import-preview-title">Import {props.fileName}?</h2>
      <ul aria-label="What the import will do">
        <Group label="New" titles={props.plan.added} />
        <Group label="Updated (the file's copy is newer; this device's text is kept in the note's history)" titles={props.plan.updated} />
        <Group label="Skipped (this device has a newer version)" titles={props.plan.skipped} />
        <Show when={props.plan.unchanged > 0}>
          <li>Already the same on this device: {notesWord(props.plan.unchanged)}</li>
        </Show>
      </ul>
      <Show when={props.plan.source === "backup"}>
        <p class="muted">A full backup also restores reminders, views and history.</p>
      </Show>
      <div class="inline">
        <button type="button" disabled={props.busy} onClick={() => props.onImport()}>
          Import
        </button>
        <button type="button" class="ghost" disabled={props.busy} onClick={() => props.onCancel()}>
          Cancel
        </button>
      </div>
    </section>
  );
}
