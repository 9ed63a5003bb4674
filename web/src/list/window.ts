/** The note list reads the page of rows on screen and one page either side. */
export const LIST_PAGE_ROWS = 50;
export const LIST_WINDOW_ROWS = 3 * LIST_PAGE_ROWS;

/** The first row of the window to read when `firstVisible` is the first row on screen; moves only at page edges. */
export function windowStart(firstVisible: number): number {
  return Math.max(0, (Math.floor(firstVisible / LIST_PAGE_ROWS) - 1) * LIST_PAGE_ROWS);
}
