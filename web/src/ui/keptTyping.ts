/**
 * A copy, on this device, of typing that is not known to be saved: written when the page is
 * hidden or closes with typing unsaved or a save still on its way, and when an editor closes on a
 * save that failed. The database may never get that save (the page closed first, the browser
 * killed a hidden tab, the disk was full), and then this copy is all that is left: the next start
 * offers it back (App.tsx). It is removed once the typing is saved.
 *
 * localStorage, because it is written synchronously, so a page that is closing still writes it,
 * and because it is not the storage whose failure may be why the save failed. One key per note,
 * so two tabs editing two notes never overwrite each other's copy; each copy names the editor
 * that wrote it, which removes only its own. An erase of the device's notes starts a new epoch:
 * a copy from an earlier one (an editor still open as its page closed) is never offered.
 */
import type { Field, UnsavedWork } from "./noteDraft";

const PREFIX = "cobrain.unsaved.";
/** Changed by every erase of this device's notes (not under PREFIX: it is no copy). */
const EPOCH_KEY = "cobrain.unsavedEpoch";

export interface KeptTyping {
  noteId: string;
  title: string;
  work: UnsavedWork;
  /** Why its save failed; empty when the page closed before it was known to be saved. */
  error: string;
  /** The editor that wrote it (it removes only its own). */
  writer: string;
  /** The erase epoch it was typed in (`currentEpoch()`). */
  epoch: string;
}

/** The erase epoch now: an editor takes it as it opens, and writes it into its copies. */
export function currentEpoch(): string {
  try {
    return localStorage.getItem(EPOCH_KEY) ?? "";
  } catch {
    return "";
  }
}

/** Keeps `kept`, replacing any earlier copy for its note; false when the storage refused it (full, or a private window's). */
export function keepTyping(kept: KeptTyping): boolean {
  try {
    localStorage.setItem(PREFIX + kept.noteId, JSON.stringify(kept));
    return true;
  } catch {
    return false;
  }
}

/** Removes the note's copy: the one `writer` wrote, or whichever there is (the note was deleted for good). */
export function forgetTyping(noteId: string, writer?: string): void {
  try {
    if (writer !== undefined && readKept(localStorage.getItem(PREFIX + noteId))?.writer !== writer) return;
    localStorage.removeItem(PREFIX + noteId);
  } catch {
    // storage refused: the copy stays, and the next start finds it saved and drops it
  }
}

/** The keys of every copy, readable or not. */
function copyKeys(): string[] {
  const keys: string[] = [];
  for (let i = 0; i < localStorage.length; i++) {
    const key = localStorage.key(i);
    if (key?.startsWith(PREFIX)) keys.push(key);
  }
  return keys;
}

/**
 * The note's copy, if it has one of this epoch and this version can read it (one it cannot is
 * left where it is). A copy of an earlier epoch is removed: what it was typed into was erased.
 */
export function keptTypingOf(noteId: string): KeptTyping | undefined {
  try {
    const key = PREFIX + noteId;
    const kept = readKept(localStorage.getItem(key));
    if (!kept || kept.noteId !== noteId) return undefined;
    if (kept.epoch === currentEpoch()) return kept;
    localStorage.removeItem(key);
  } catch {
    // storage refused: nothing can have been kept
  }
  return undefined;
}

/** Every copy `keptTypingOf` would give. */
export function keptTyping(): KeptTyping[] {
  try {
    return copyKeys().flatMap((key) => keptTypingOf(key.slice(PREFIX.length)) ?? []);
  } catch {
    return []; // storage refused: nothing can have been kept
  }
}

/**
 * Removes every copy and starts a new epoch, for an erase of this device's notes (another
 * account, a shared computer): the copies are that account's writing too, and an editor still
 * open writes its copy in the old epoch. Returns a function that puts them back, for when the
 * erase fails.
 */
export function takeAllTyping(): () => void {
  const taken: [string, string][] = [];
  const epoch = currentEpoch();
  try {
    for (const key of copyKeys()) taken.push([key, localStorage.getItem(key) ?? ""]);
    for (const [key] of taken) localStorage.removeItem(key);
    localStorage.setItem(EPOCH_KEY, crypto.randomUUID());
  } catch {
    // storage refused: nothing can have been kept
  }
  return () => {
    for (const [key, value] of [...taken, [EPOCH_KEY, epoch] as [string, string]]) {
      try {
        localStorage.setItem(key, value);
      } catch {
        // as on keeping: the storage refused
      }
    }
  };
}

const FIELDS: readonly Field[] = ["title", "body"];
const isTexts = (value: unknown): value is Partial<Record<Field, string>> =>
  typeof value === "object" && value !== null && Object.entries(value).every(([k, v]) => FIELDS.includes(k as Field) && typeof v === "string");

function readKept(json: string | null): KeptTyping | undefined {
  try {
    const value = JSON.parse(json ?? "") as Partial<KeptTyping>;
    const work = value.work;
    const strings = [value.noteId, value.title, value.error, value.writer, value.epoch];
    if (!strings.every((v) => typeof v === "string")) return undefined;
    if (!work || !isTexts(work.text) || !isTexts(work.base) || !Array.isArray(work.conflicted) || !work.conflicted.every((f) => FIELDS.includes(f))) return undefined;
    const [noteId, title, error, writer, epoch] = strings as string[];
    return { noteId: noteId!, title: title!, error: error!, writer: writer!, epoch: epoch!, work: { text: work.text, base: work.base, conflicted: work.conflicted } };
  } catch {
    return undefined;
  }
}

/** True when the stored note already holds every field of the kept typing: the save got there. */
export function isSavedIn(kept: KeptTyping, stored: Partial<Record<Field, string>>): boolean {
  return Object.entries(kept.work.text).every(([field, text]) => stored[field as Field] === text);
}
