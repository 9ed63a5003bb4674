import { Show } from "solid-js";
import { useDb } from "./dbContext";
import { ImportPreview } from "./ImportPreview";
import { cancelImport, chooseImportFile, confirmImport, importState } from "./importState";
import { t } from "../i18n/i18n";

/**
 * Imports a JSON backup, a JSON list of notes or a zip of Markdown files: first shows what it will
 * do and asks; then writes all of it or none. The import itself lives in importState.ts, so a
 * screen change while a file is read or asked about does not drop it.
 */
export function ImportButton() {
  const { client, db } = useDb();
  const { message, pending, busy } = importState;
  const onFile = (input: HTMLInputElement) => {
    const file = input.files?.[0];
    input.value = "";
    if (file) void chooseImportFile(client, db, file);
  };
  return (
    <div class="import">
      <label class="button-like">
        {t("common.import")}
        <input
          type="file"
          accept="application/json,.json,application/zip,.zip"
          class="visually-hidden"
          disabled={busy()}
          aria-label={t("import.fileLabel")}
          onChange={(e) => onFile(e.currentTarget)}
        />
      </label>
      <Show when={pending()}>{(p) => <ImportPreview fileName={p().fileName} plan={p().plan} busy={busy()} onImport={() => void confirmImport()} onCancel={cancelImport} />}</Show>
      <Show when={message()}>
        <span class={message()!.error ? "error" : "muted"} role="status">
          {message()!.text}
        </span>
      </Show>
    </div>
  );
}
