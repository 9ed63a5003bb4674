/** "3 minutes ago", "yesterday": how long ago a note was edited, in the reader's language. */

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const MONTH = 30 * DAY;
const YEAR = 365 * DAY;

/** Each unit is used until the next one reads better ("90 minutes ago" reads worse than "2 hours ago"). */
const UNITS: Array<[Intl.RelativeTimeFormatUnit, number, number]> = [
  ["second", SECOND, MINUTE],
  ["minute", MINUTE, HOUR],
  ["hour", HOUR, DAY],
  ["day", DAY, WEEK],
  ["week", WEEK, MONTH],
  ["month", MONTH, YEAR],
  ["year", YEAR, Infinity],
];

/** Under this, "now": a note saved a moment ago is not "3 seconds ago", counting on screen. */
const JUST_NOW_MS = 45 * SECOND;

const formats = new Map<string, Intl.RelativeTimeFormat>();
function formatFor(locale: string | undefined): Intl.RelativeTimeFormat {
  const key = locale ?? "";
  let format = formats.get(key);
  if (!format) formats.set(key, (format = new Intl.RelativeTimeFormat(locale, { numeric: "auto" })));
  return format;
}

/** `at` relative to `now` (both ms): "now", "5 minutes ago", "yesterday", "in 2 hours". */
export function relativeTime(at: number, now: number, locale?: string): string {
  const delta = at - now;
  const size = Math.abs(delta);
  if (!Number.isFinite(size)) return ""; // no time to tell (a value that is not one)
  const format = formatFor(locale);
  if (size < JUST_NOW_MS) return format.format(0, "second");
  const [unit, ms] = UNITS.find(([, , below]) => size < below)!;
  // Rounded away from zero on both sides (Math.round(-1.5) is -1).
  return format.format(Math.sign(delta) * Math.round(size / ms), unit);
}

/** How often the words can change: every minute within the hour, then every hour is plenty. */
export function relativeTimeRefreshMs(at: number, now: number): number {
  return Math.abs(now - at) < HOUR ? MINUTE : HOUR;
}
