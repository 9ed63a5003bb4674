import { For, Show } from "solid-js";
import { IMPORT_PREVIEW_NAMES } from "../../../shared/constants";
import type { ImportPlan } from "../backup/importPlan";
import { plural, t } from "../i18n/i18n";

const notesWord = (n: number) => plural("common.noteCount", n);

/** One group of the preview: its count, and the first few titles. */
function Group(props: { label: string; titles: string[] }) {
  return (
    <Show when={props.titles.length > 0}>
      <li>
        {props.label}: {notesWord(props.titles.length)}
        <ul class="muted">
          <For each={props.titles.slice(0, IMPORT_PREVIEW_NAMES)}>{(title) => <li>{title}</li>}</For>
          <Show when={props.titles.length > IMPORT_PREVIEW_NAMES}>
            <li>{t("common.andMore", { count: props.titles.length - IMPORT_PREVIEW_NAMES })}</li>
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
      <h2 id="import-preview-title">{t("import.title", { file: props.fileName })}</h2>
      <ul aria-label={t("import.what")}>
        <Group label={t("import.new")} titles={props.plan.added} />
        <Group label={t("import.updated")} titles={props.plan.updated} />
        <Group label={t("import.skipped")} titles={props.plan.skipped} />
        <Show when={props.plan.unchanged > 0}>
          <li>{t("import.unchanged", { notes: notesWord(props.plan.unchanged) })}</li>
        </Show>
      </ul>
      <Show when={props.plan.source === "backup"}>
        <p class="muted">{t("import.backupAlso")}</p>
      </Show>
      <div class="inline">
        <button type="button" disabled={props.busy} onClick={() => props.onImport()}>
          {t("common.import")}
        </button>
        <button type="button" class="ghost" disabled={props.busy} onClick={() => props.onCancel()}>
          {t("common.cancel")}
        </button>
      </div>
    </section>
  );
}
