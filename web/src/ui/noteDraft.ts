/**
 * The editor's text between the screen and the store, per field: what is shown (the draft), the
 * stored value the draft started from (its base), whether it holds unsaved typing, and whether a
 * save of it is on its way. Framework-free, so its races are tested without a browser.
 */
import { mergeText } from "../merge/textMerge";

export type Field = "title" | "body";
export type Texts = Record<Field, string>;
const FIELDS = ["title", "body"] as const;

export interface PendingSave {
  /** The fields to write. */
  text: Partial<Texts>;
  /** The stored text each started from: the save merges with anything else it finds. */
  expected: Partial<Texts>;
  /** The stored text holds words the typing replaced (a merge that conflicted): keep it as a conflict revision. */
  keepStored: boolean;
}

export class NoteDraft {
  #shown: Texts = { title: "", body: "" };
  #base: Partial<Texts> = {};
  readonly #unsaved = new Set<Field>();
  /** Saves on their way per field, and the text the last of them sent. */
  readonly #saving = new Map<Field, number>();
  readonly #sent: Partial<Texts> = {};
  /** Fields whose unsaved typing replaced words another device changed too. */
  readonly #conflicted = new Set<Field>();

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
        // The typed words stay on screen; the stored version must not vanish under the save.
        if (merged.conflict) this.#conflicted.add(f);
      } else next[f] = stored;
      this.#base[f] = stored;
    }
    return (this.#shown = next);
  }

  /**
   * The unsaved fields, to save now; none if all is saved. A save begun while another of the
   * same field is on its way (a flush as the page goes away) expects what that one sent.
   */
  beginSave(): PendingSave | undefined {
    if (this.#unsaved.size === 0) return undefined;
    const text: Partial<Texts> = {};
    const expected: Partial<Texts> = {};
    for (const f of this.#unsaved) {
      const from = this.#saving.has(f) ? this.#sent[f] : this.#base[f];
      if (from !== undefined) expected[f] = from;
      text[f] = this.#sent[f] = this.#shown[f];
      this.#saving.set(f, (this.#saving.get(f) ?? 0) + 1);
    }
    const keepStored = [...this.#unsaved].some((f) => this.#conflicted.has(f));
    this.#unsaved.clear();
    return { text, expected, keepStored };
  }

  /**
   * The save is written: once none is left on its way, the last text sent is the base of what
   * was typed since. If a save merged another change in, the next read brings the merge.
   */
  saved(text: Partial<Texts>): void {
    for (const f of Object.keys(text) as Field[]) {
      this.#conflicted.delete(f);
      if (this.#settle(f)) this.#base[f] = this.#sent[f];
    }
  }

  /** The save failed: its fields are unsaved again (typing on, leaving the field or the page going away retries it). */
  failed(text: Partial<Texts>): void {
    for (const f of Object.keys(text) as Field[]) {
      this.#settle(f);
      this.#unsaved.add(f);
    }
  }

  /** The note is being deleted for good: its unsaved typing goes with it, not into a save. */
  discard(): void {
    this.#unsaved.clear();
    this.#conflicted.clear();
  }

  /** One save of `f` ended; true if it was the last on its way. */
  #settle(f: Field): boolean {
    const left = (this.#saving.get(f) ?? 1) - 1;
    if (left > 0) this.#saving.set(f, left);
    else this.#saving.delete(f);
    return left <= 0;
  }
}
