/**
 * GFM task-list boxes and where they are in the note's text, from micromark's own parse events
 * (the same events the HTML is compiled from), so the n-th checkbox on screen is the n-th box in
 * the text even when two items read the same.
 */
import type { postprocess } from "micromark";
import { t } from "../i18n/i18n";

type Event = ReturnType<typeof postprocess>[number];

export interface TaskBox {
  /** Index into the note's text of the character between the brackets (" ", "x" or "X"). */
  offset: number;
  checked: boolean;
}

export function taskBoxes(events: Event[]): TaskBox[] {
  const boxes: TaskBox[] = [];
  for (const [kind, token] of events) {
    // The GFM extension's token names are not in micromark's core type map.
    const type: string = token.type;
    if (kind !== "enter") continue;
    if (type === "taskListCheckValueChecked" || type === "taskListCheckValueUnchecked") {
      boxes.push({ offset: token.start.offset, checked: type === "taskListCheckValueChecked" });
    }
  }
  return boxes;
}

/** The text with one box ticked or unticked; refuses a box that is no longer where it was. */
export function toggleTask(text: string, box: TaskBox): string {
  const now = text[box.offset];
  const checked = now === "x" || now === "X";
  if ((now !== " " && now !== "\t" && !checked) || checked !== box.checked || text[box.offset - 1] !== "[" || text[box.offset + 1] !== "]") {
    throw new Error(t("errors.taskMoved"));
  }
  return text.slice(0, box.offset) + (checked ? " " : "x") + text.slice(box.offset + 1);
}
