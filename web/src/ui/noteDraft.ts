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

/** Typing a failed save left unsaved, as an editor that is going away hands it on. */
export interface UnsavedWork {
  text: Partial<Texts>;
  /** The stored text each field's typing started from (merged with what is stored when taken back). */
  base: Partial<Texts>;
  /** Fields whose stored version the typing replaced after a conflicting merge: still owed a conflict revision. */
  conflicted: Field[];
}

/**
 * One save at a time (NoteEditor queues them): each starts from the text the one before sent, so
 * it can tell another device's change from its own earlier write.
 */
export class NoteDraft {
  #shown: Texts = { title: "", body: "" };
  #base: Partial<Texts> = {};
  readonly #unsaved = new Set<Field>();
  readonly #saving = new Set<Field>();
  /** The last read of a field taken while its save was on its way. */
  readonly #skipped: Partial<Texts> = {};
  /** Fields whose unsaved typing replaced words another device changed too. */
  readonly #conflicted = new Set<Field>();
  /** Which pending save carries which conflicted fields (handed back if it fails). */
  readonly #keeping = new WeakMap<PendingSave, Field[]>();
  /** The conflicted fields of the saves on their way. */
  readonly #keepingNow = new Set<Field>();

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
      if (this.#saving.has(f)) this.#skipped[f] = note[f]; // applied only if the save fails
      else this.#take(f, note[f], next);
    }
    return (this.#shown = next);
  }

  /** One field of a read, into `next`. */
  #take(f: Field, stored: string, next: Texts): void {
    const base = this.#base[f];
    if (stored === base) return;
    if (this.#unsaved.has(f) && base !== undefined) {
      const merged = mergeText(base, next[f], stored);
      next[f] = merged.text;
      // The typed words stay on screen; the stored version must not vanish under the save.
      if (merged.conflict) this.#conflicted.add(f);
    } else next[f] = stored;
    this.#base[f] = stored;
  }

  /** The unsaved fields, to save now; none if all is saved. */
  beginSave(): PendingSave | undefined {
    if (this.#unsaved.size === 0) return undefined;
    const text: Partial<Texts> = {};
    const expected: Partial<Texts> = {};
    const keeping: Field[] = [];
    for (const f of this.#unsaved) {
      text[f] = this.#shown[f];
      if (this.#base[f] !== undefined) expected[f] = this.#base[f];
      this.#saving.add(f);
      if (this.#conflicted.delete(f)) keeping.push(f); // kept by this save, not again by the next
    }
    this.#unsaved.clear();
    const pending = { text, expected, keepStored: keeping.length > 0 };
    this.#keeping.set(pending, keeping);
    for (const f of keeping) this.#keepingNow.add(f);
    return pending;
  }

  /**
   * The save is written: the text it sent is the base of what was typed since. If it merged
   * another change in, the next read brings the merge, as any stored change.
   */
  saved(pending: PendingSave): void {
    for (const f of this.#settle(pending)) {
      this.#base[f] = pending.text[f];
      delete this.#skipped[f]; // taken before the write: the read after it brings the stored value
    }
  }

  /**
   * The save failed: its fields are unsaved again (typing on, leaving the field or the page going
   * away retries it), and the reads skipped while it was on its way apply now (nothing was
   * written, so they hold what is stored). Returns what to show.
   */
  failed(pending: PendingSave): Texts {
    const next = { ...this.#shown };
    for (const f of this.#settle(pending)) {
      this.#unsaved.add(f);
      const skipped = this.#skipped[f];
      delete this.#skipped[f];
      if (skipped !== undefined) this.#take(f, skipped, next);
    }
    for (const f of this.#keeping.get(pending) ?? []) this.#conflicted.add(f);
    return (this.#shown = next);
  }

  /**
   * What is unsaved (after a failed save), to offer back once this editor is gone; none if all is
   * saved. With `orOnItsWay`, also what a save on its way carries (the page may close before it
   * lands): its fields' text as shown, and the base that save started from.
   */
  unsavedWork(orOnItsWay = false): UnsavedWork | undefined {
    const fields = new Set([...this.#unsaved, ...(orOnItsWay ? this.#saving : [])]);
    if (fields.size === 0) return undefined;
    const conflicted = new Set([...this.#conflicted, ...(orOnItsWay ? this.#keepingNow : [])]);
    const work: UnsavedWork = { text: {}, base: {}, conflicted: [...conflicted] };
    for (const f of fields) {
      work.text[f] = this.#shown[f];
      if (this.#base[f] !== undefined) work.base[f] = this.#base[f];
    }
    return work;
  }

  /**
   * Takes back work an earlier editor of this note could not save, before the first read: that
   * read merges with it as with typing, and the next save writes it. Returns what to show.
   */
  restore(work: UnsavedWork): Texts {
    for (const f of Object.keys(work.text) as Field[]) {
      this.#shown = { ...this.#shown, [f]: work.text[f]! };
      this.#unsaved.add(f);
      if (work.base[f] !== undefined) this.#base[f] = work.base[f];
    }
    for (const f of work.conflicted) this.#conflicted.add(f);
    return this.#shown;
  }

  /**
   * Takes back a copy of typing an earlier visit kept, not knowing whether its save landed, at the
   * first read (`stored`). Where the stored text moved on from the copy's base, its own save may be
   * what moved it, followed by another device's change: merging again could bring back words that
   * change took out. So the stored version is kept as a conflict too, and both are shown.
   * Returns what to show (the read merged in, as for typing).
   */
  restoreUncertain(work: UnsavedWork, stored: Texts): Texts {
    this.restore(work);
    for (const f of Object.keys(work.text) as Field[]) {
      const base = work.base[f];
      if (base !== undefined && stored[f] !== base && stored[f] !== work.text[f]) this.#conflicted.add(f);
    }
    return this.stored(stored);
  }

  /** The note is being deleted for good: its unsaved typing goes with it, not into a save. */
  discard(): void {
    this.#unsaved.clear();
    this.#conflicted.clear();
  }

  /** `pending` is no longer on its way; returns its fields. */
  #settle(pending: PendingSave): Field[] {
    const fields = Object.keys(pending.text) as Field[];
    for (const f of fields) this.#saving.delete(f);
    for (const f of this.#keeping.get(pending) ?? []) this.#keepingNow.delete(f);
    return fields;
  }
}
