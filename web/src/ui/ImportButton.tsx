import { createSignal, Show } from "solid-js";
import { importFile } from "../backup/backup";
import { useDb } from "./dbContext";
import { errorMessage } from "../../../shared/errorMessage";

/** Imports a JSON backup, a JSON list of notes or a zip of Markdown files: all of it or none. */
export function ImportButton() {
  const { client, db } = useDb();
  const [message, setMessage] = createSignal<{ text: string; error?: boolean }>();
  const onFile = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    input.value = "";
    if (!file) return;
    setMessage({ text: `Importing ${file.name}…` });
    try {
      const count = await importFile(client, db, file);
      setMessage({ text: `Imported ${count} notes.` });
    } catch (error) {
      setMessage({ text: `Nothing imported: ${errorMessage(error)}`, error: true });
    }
  };
  return (
    <div class="import">
      <label class="button-like">
        Import
        <input
          type="file"
          accept="application/json,.json,application/zip,.zip"
          class="visually-hidden"
          aria-label="Import notes (JSON backup, JSON list or Markdown zip)"
          onChange={(e) => void onFile(e.currentTarget)}
        />
      </label>
      <Show when={message()}>
        <span class={message()!.error ? "error" : "muted"} role="status">
          {message()!.text}
        </span>
      </Show>
    </div>
  );
}
