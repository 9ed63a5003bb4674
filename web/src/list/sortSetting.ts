/** The list's order, remembered on this device (a reading preference, not data to sync). */
import { createSignal, type Accessor } from "solid-js";
import { NOTE_SORTS, type NoteSort } from "./noteSorts";

const SORT_KEY = "cobrain.noteSort";

export function readSort(storage: Pick<Storage, "getItem"> | undefined = globalThis.localStorage): NoteSort {
  const saved = storage?.getItem(SORT_KEY);
  return (NOTE_SORTS as readonly string[]).includes(saved ?? "") ? (saved as NoteSort) : "edited";
}

/** The sort signal, written through to localStorage. */
export function createSortSetting(): [Accessor<NoteSort>, (sort: NoteSort) => void] {
  const [sort, setSort] = createSignal<NoteSort>(readSort());
  return [
    sort,
    (next) => {
      setSort(next);
      try {
        localStorage.setItem(SORT_KEY, next);
      } catch {
        // Storage full or blocked: the order still applies until the page closes.
      }
    },
  ];
}
