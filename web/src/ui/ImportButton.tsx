import { createSignal, Show } from "solid-js";
import { planImport, type ImportPlan } from "../backup/importPlan";
import { useDb } from "./dbContext";
import { errorMessage } from "../../../shared/errorMessage";
import { ImportPreview } from "./ImportPreview";
import { plural, t } from "../i18n/i18n";

/**
 * Imports a JSON backup, a JSON list of notes or a zip of Markdown files: first shows what it will
 * do and asks; then writes all of it or none.
 */
export function ImportButton() {
  const { client, db } = useDb();
  const [message, setMessage] = createSignal<{ text: string; error?: boolean }>();
  const [pending, setPending] = createSignal<{ fileName: string; plan: ImportPlan }>();
  const [busy, setBusy] = createSignal(false);
  const onFile = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    input.value = "";
    if (!file) return;
    setPending(undefined);
    setMessage({ text: t("import.reading", { file: file.name }) });
    try {
      setPending({ fileName: file.name, plan: await planImport(client, db, file) });
      setMessage(undefined);
    } catch (error) {
      setMessage({ text: t("import.failed", { error: errorMessage(error) }), error: true });
    }
  };
  const confirm = async () => {
    const { fileName, plan } = pending()!;
    setBusy(true);
    setMessage({ text: t("import.importing", { file: fileName }) });
    try {
      const count = await plan.apply();
      setMessage({ text: plural("import.done", count) });
    } catch (error) {
      setMessage({ text: t("import.failed", { error: errorMessage(error) }), error: true });
    } finally {
      setBusy(false);
      setPending(undefined);
    }
  };
  const cancel = () => {
    setPending(undefined);
    setMessage({ text: t("import.cancelled") });
  };
  return (
    <div class="import">
      <label class="button-like">
        {t("common.import")}
        <input
          type="file"
          accept="application/json,.json,application/zip,.zip"
          class="visually-hidden"
          aria-label={t("import.fileLabel")}
          onChange={(e) => void onFile(e.currentTarget)}
        />
      </label>
      <Show when={pending()}>{(p) => <ImportPreview fileName={p().fileName} plan={p().plan} busy={busy()} onImport={() => void confirm()} onCancel={cancel} />}</Show>
      <Show when={message()}>
        <span class={message()!.error ? "error" : "muted"} role="status">
          {message()!.text}
        </span>
      </Show>
    </div>
  );
}
