import { createSignal, Show } from "solid-js";
import type { AppDatabase } from "../db/drizzle";
import { parseNotesJson } from "../notes/importNotes";
import { importNotes } from "../notes/notesRepo";

/** Imports notes from a JSON file in one transaction: all of them or none. */
export function ImportButton(props: { db: AppDatabase }) {
  const [message, setMessage] = createSignal<{ text: string; error?: boolean }>();
  const onFile = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    input.value = "";
    if (!file) return;
    try {
      const count = await importNotes(props.db, parseNotesJson(await file.text()));
      setMessage({ text: `Imported ${count} notes.` });
    } catch (error) {
      setMessage({ text: `Nothing imported: ${error instanceof Error ? error.message : String(error)}`, error: true });
    }
  };
  return (
    <div class="import">
      <label class="button-like">
        Import JSON
        <input type="file" accept="application/json,.json" class="visually-hidden" aria-label="Import notes from a JSON file" onChange={(e) => void onFile(e.currentTarget)} />
      </label>
      <Show when={message()}>
        <span class={message()!.error ? "error" : "muted"} role="status">
          {message()!.text}
        </span>
      </Show>
    </div>
  );
}
