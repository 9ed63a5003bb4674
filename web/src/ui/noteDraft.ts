/**
 * The editor's text between the screen and the store, per field: what is shown (the draft), the
 * stored value the draft started from (its base), whether it holds unsaved typing, and whether a
 * save of it is on its way. Framework-free, so its races are tested without a browser.
 */
import { mergeText } from "../merge/textMerge";

export type Field = "title" | "body";
export type Texts = Record<Field, string>;
const FIELDS = ["title", "body"] as const;

export class NoteDraft {
  #shown: Texts = { title: "", body: "" };
  #base: Partial<Texts> = {};
  readonly #unsaved = new Set<Field>();
  readonly #saving = new Set<Field>();

  get shown(): Texts {
    return this.#shown;
  }

  /** The person typed. */
  edit(field: Field, value: string): Texts {
    this.#unsaved.add(field);
    return (this.#shown = { ...this.#shown, [field]: value });
  }

  /**
   * A read of the stored note: what to show now. Unsaved typing merges with a stored change;
   * otherwise the stored value is shown. A field whose save is on its way is left alone: reads and
   * writes queue in the database worker, so a read sent before the save's write can answer after
   * the save began, and showing it would take the words just typed off the screen (and put the
   * caret before them). The read that follows the write brings the stored value.
   */
  stored(note: Texts): Texts {
    const next = { ...this.#shown };
    for (const f of FIELDS) {
      const stored = note[f];
      if (this.#saving.has(f) || stored === this.#base[f]) continue;
      const base = this.#base[f];
      if (this.#unsaved.has(f) && base !== undefined) {
        const merged = mergeText(base, next[f], stored);
        next[f] = merged.text;
        // Both changed the same words: the base stays, so the save finds the stored text changed
        // and keeps it as a conflict revision instead of writing over it.
        if (merged.conflict) continue;
      } else next[f] = stored;
      this.#base[f] = stored;
    }
    return (this.#shown = next);
  }

  /** The unsaved fields, to save now, with the stored text each started from; none if all is saved. */
  beginSave(): { text: Partial<Texts>; expected: Partial<Texts> } | undefined {
    if (this.#unsaved.size === 0) return undefined;
    const text: Partial<Texts> = {};
    const expected: Partial<Texts> = {};
    for (const f of this.#unsaved) {
      text[f] = this.#shown[f];
      if (this.#base[f] !== undefined) expected[f] = this.#base[f];
      this.#saving.add(f);
    }
    this.#unsaved.clear();
    return { text, expected };
  }

  /**
   * The save is written: the text sent is the base of what was typed since. If the save merged
   * another change in, the next read brings the merge, as any stored change.
   */
  saved(text: Partial<Texts>): void {
    for (const f of Object.keys(text) as Field[]) {
      this.#base[f] = text[f];
      this.#saving.delete(f);
    }
  }

  /** The note is being deleted for good: its unsaved typing goes with it, not into a save. */
  discard(): void {
    this.#unsaved.clear();
  }

  /** The save failed: its fields are unsaved again (the next pause, blur or suspend retries). */
  failed(text: Partial<Texts>): void {
    for (const f of Object.keys(text) as Field[]) {
      this.#saving.delete(f);
      this.#unsaved.add(f);
    }
  }
}
