/**
 * The import in progress, kept outside the Import button. The list and Settings each show a
 * button, and a screen change replaces it: Settings opening while a file was being read on the
 * list (the router keeps the old screen up until the new one's code has loaded) disposed the
 * button that held the file, and the import vanished without a word. Here the chosen file's
 * preview, progress and outcome outlive the button, and whichever button is on screen shows them
 * (the last outcome stays until the next import starts).
 */
import { createSignal } from "solid-js";
import { planImport, type ImportPlan } from "../backup/importPlan";
import type { DbClient } from "../db/client";
import type { AppDatabase } from "../db/drizzle";
import { errorMessage } from "../../../shared/errorMessage";
import { plural, t } from "../i18n/i18n";

interface ImportMessage {
  text: string;
  error?: boolean;
}

const [message, setMessage] = createSignal<ImportMessage>();
const [pending, setPending] = createSignal<{ fileName: string; plan: ImportPlan }>();
const [busy, setBusy] = createSignal(false);
/** Each choice of file: a slower read of an earlier file must not replace the later one's preview. */
let choice = 0;

export const importState = { message, pending, busy };

/** Reads the chosen file and plans its import; the preview then waits for Import or Cancel. */
export async function chooseImportFile(client: DbClient, db: AppDatabase, file: File): Promise<void> {
  if (busy()) return; // the button is disabled while an import writes
  const mine = ++choice;
  setPending(undefined);
  setMessage({ text: t("import.reading", { file: file.name }) });
  try {
    const plan = await planImport(client, db, file);
    if (mine !== choice) return;
    setPending({ fileName: file.name, plan });
    setMessage(undefined);
  } catch (error) {
    if (mine === choice) setMessage({ text: t("import.failed", { error: errorMessage(error) }), error: true });
  }
}

export async function confirmImport(): Promise<void> {
  const asked = pending();
  if (!asked || busy()) return;
  setBusy(true);
  setMessage({ text: t("import.importing", { file: asked.fileName }) });
  try {
    const count = await asked.plan.apply();
    setMessage({ text: plural("import.done", count) });
  } catch (error) {
    setMessage({ text: t("import.failed", { error: errorMessage(error) }), error: true });
  } finally {
    setBusy(false);
    setPending(undefined);
  }
}

export function cancelImport(): void {
  if (busy()) return;
  choice++; // a file still being read is dropped too
  setPending(undefined);
  setMessage({ text: t("import.cancelled") });
}
