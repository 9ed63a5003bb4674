import { createVirtualizer, type Virtualizer } from "@tanstack/solid-virtual";
import { createEffect, createMemo, createSignal, For, on, onCleanup, onMount, Show, type Accessor } from "solid-js";
import { createLiveRead } from "../db/live";
import { markFirstListDrawn } from "./firstList";
import { createNow } from "../list/now";
import { fillToScreen } from "../list/fillToScreen";
import type { NoteListRow, NoteSort } from "../notes/noteListQuery";
import type { NoteFilter } from "../notes/notesRepo";
import { useDb } from "./dbContext";
import { NoteRow } from "./NoteRow";
import "./noteList.css";
import { t } from "../i18n/i18n";
import { LIST_WINDOW_ROWS, windowStart as windowStartFor } from "../list/window";
import { ESTIMATED_ROW_PX, ROW_GAP_PX } from "../list/rowSize";

/** The scroller never gets shorter than this (a short landscape phone scrolls the page instead). */
const MIN_SCROLLER_PX = 256;
/** Rows rendered beyond the visible ones, so a fast flick does not show blanks. */
const OVERSCAN_ROWS = 8;
/** Arrow keys move one row; Page Up/Down this many. */
const PAGE_KEY_ROWS = 10;

interface ListProps {
  filter: NoteFilter;
  sort: NoteSort;
  selected?: string;
  onOpen: (id: string) => void;
  empty: string;
  label?: string;
}

/**
 * Every note of a section, however many: only the rows on screen are in the DOM, and only a window
 * of three pages around them is read from the database (again after each write): a count and at
 * most `LIST_WINDOW_ROWS` rows per run, whatever the number of notes.
 */
export function VirtualNoteList(props: ListProps) {
  const { client } = useDb();
  // The first row on screen; Solid skips equal writes, and the window moves only at page edges.
  const [first, setFirst] = createSignal(0);
  const windowStart = createMemo(() => windowStartFor(first()));
  // Rows read for another section or order are never shown (nor clickable) while the new ones load.
  const key = () => `${props.sort} ${JSON.stringify(props.filter)}`;
  // Read in the database worker (db-worker/reads.ts): the list paints without Drizzle's code here.
  const args = () => ({ filter: props.filter, sort: props.sort, offset: windowStart(), limit: LIST_WINDOW_ROWS, key: key() });
  const page = createLiveRead(client, "noteWindow", args);
  const current = () => {
    const data = page.data();
    return data?.key === key() ? data : undefined;
  };
  const count = () => current()?.count ?? 0;
  createEffect(() => {
    if (current() || page.error()) markFirstListDrawn();
  });
  const rowAt = (index: number) => {
    const data = current();
    return data?.rows[index - data.offset];
  };

  return (
    <>
      <Show when={page.error()}>
        <p class="error" role="alert">
          {t("notes.couldNotLoad", { error: page.error()!.message })}
        </p>
      </Show>
      <Show when={current()} fallback={<p class="muted" aria-busy="true">{t("notes.opening")}</p>}>
        <Show when={count() > 0} fallback={<p class="empty">{props.empty}</p>}>
          <Rows list={props} count={count} rowAt={rowAt} onFirst={setFirst} />
        </Show>
      </Show>
    </>
  );
}

/**
 * A row's height from its ResizeObserver entry, which comes after layout and before the paint.
 * The default reads `offsetHeight` as each new row is first measured: a forced layout per row,
 * each after the last row's resize moved the others (from just after a new device's sign-in to
 * its first notes, Chromium counted 25 layouts with it, 10 without; one devices run each). Until
 * its entry comes, a row keeps the size it had (or the estimate).
 */
function measureRow(element: Element, entry: ResizeObserverEntry | undefined, instance: Virtualizer<HTMLDivElement, Element>): number {
  if (entry) {
    // Layout is done when an entry comes: reading the element then forces nothing (engines without borderBoxSize).
    const box = entry.borderBoxSize?.[0];
    return Math.round(box ? box.blockSize : (element as HTMLElement).offsetHeight);
  }
  const index = instance.indexFromElement(element);
  return instance.itemSizeCache.get(instance.options.getItemKey(index)) ?? instance.options.estimateSize(index);
}

/** The scroller and the rows on screen; created with its element, as the virtualizer needs it at mount. */
function Rows(props: { list: ListProps; count: Accessor<number>; rowAt: (index: number) => NoteListRow | undefined; onFirst: (index: number) => void }) {
  const now = createNow();
  const conflicted = createLiveRead(useDb().client, "conflictedNoteIds", () => null);
  let scroller!: HTMLDivElement;
  let list!: HTMLUListElement;
  const virtualizer = createVirtualizer({
    get count() {
      return props.count();
    },
    getScrollElement: () => scroller,
    estimateSize: () => ESTIMATED_ROW_PX,
    measureElement: measureRow,
    gap: ROW_GAP_PX,
    overscan: OVERSCAN_ROWS,
    onChange: (v) => props.onFirst(v.getVirtualItems()[0]?.index ?? 0),
  });

  onMount(() => onCleanup(fillToScreen(scroller, MIN_SCROLLER_PX)));

  // Another order or section starts at its top.
  createEffect(on(() => [props.list.sort, JSON.stringify(props.list.filter)], () => virtualizer.scrollToOffset(0), { defer: true }));

  /** Scrolls row `index` into view and focuses it once it is rendered (and loaded). */
  const focusRow = (index: number, tries = 30) => {
    const target = Math.min(Math.max(index, 0), props.count() - 1);
    virtualizer.scrollToIndex(target, { align: "auto" });
    requestAnimationFrame(() => {
      const button = list.querySelector<HTMLButtonElement>(`button[data-index="${target}"]`);
      if (button) button.focus();
      else if (tries > 0) focusRow(target, tries - 1);
    });
  };
  const onKeyDown = (e: KeyboardEvent) => {
    const current = Number((e.target as HTMLElement).closest("[data-index]")?.getAttribute("data-index") ?? -1);
    const moves: Record<string, number> = { ArrowDown: current + 1, ArrowUp: current - 1, PageDown: current + PAGE_KEY_ROWS, PageUp: current - PAGE_KEY_ROWS, Home: 0, End: props.count() - 1 };
    if (!(e.key in moves) || current < 0) return;
    e.preventDefault();
    focusRow(moves[e.key]!);
  };

  return (
    <div class="note-scroller" ref={scroller} data-count={props.count()}>
      <ul class="note-list" ref={list} aria-label={props.list.label ?? t("common.notes")} style={{ height: `${virtualizer.getTotalSize()}px` }} onKeyDown={onKeyDown}>
        <For each={virtualizer.getVirtualItems()}>
          {(item) => (
            <li
              class="note"
              data-index={item.index}
              data-id={props.rowAt(item.index)?.id}
              aria-setsize={props.count()}
              aria-posinset={item.index + 1}
              classList={{ selected: props.list.selected !== undefined && props.list.selected === props.rowAt(item.index)?.id, pinned: props.rowAt(item.index)?.pinned === 1 }}
              style={{ transform: `translateY(${item.start}px)` }}
              ref={(el) => queueMicrotask(() => el.isConnected && virtualizer.measureElement(el))}
            >
              <Show when={props.rowAt(item.index)} fallback={<div class="note-placeholder" aria-hidden="true" />}>
                {(note) => <NoteRow note={note()} now={now} index={item.index} conflicted={conflicted.data()?.has(note().id) ?? false} onOpen={props.list.onOpen} />}
              </Show>
            </li>
          )}
        </For>
      </ul>
    </div>
  );
}
