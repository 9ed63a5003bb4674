/**
 * The app's words and formats in the chosen language, live: `t()` and `plural()` read a signal,
 * so a switch in Settings re-renders every text at once without a reload. English is bundled
 * (it is the fallback and the first paint); other catalogues load only when chosen.
 */
import { translator } from "@solid-primitives/i18n";
import { batch, createSignal } from "solid-js";
import { en, type Catalogue, type PluralKey, type TextKey } from "./en";
import { formattingLocale, pickLanguage, storedLanguage, storeLanguage, SOURCE_LANGUAGE, type Language } from "./locale";

type Args = Record<string, string | number>;

const LOADERS: Record<Exclude<Language, "en">, () => Promise<Catalogue>> = {
  de: () => import("./de").then((m) => m.de),
};

const browserLanguages = (): readonly string[] => (typeof navigator === "undefined" ? [] : (navigator.languages ?? [navigator.language]));

/** English's later part (en.later.ts), once a later screen has loaded it. */
let englishLater: Record<string, unknown> | undefined;
const english = () => ({ ...en, ...englishLater }) as unknown as Catalogue; // the later keys are absent only until no screen needs them

const [language, setLanguageSignal] = createSignal<Language>(SOURCE_LANGUAGE);
const [catalogue, setCatalogue] = createSignal<Catalogue>(english());
/** The chosen language ("en", "de"). */
export { language };
/** The BCP 47 tag Intl formats with (the browser's regional variant of the language, if any). */
export const locale = (): string => formattingLocale(language(), browserLanguages());

/**
 * Fills `{{ name }}` with a function replacement: the library's resolveTemplate passes values to
 * String.replace as a pattern, where a note title holding "$&" would be mangled.
 */
const fill = (template: string, args?: Args): string =>
  args ? template.replace(/{{\s*(\w+)\s*}}/g, (whole, name: string) => (name in args ? String(args[name]) : whole)) : template;

const translate = translator(catalogue);

/** The text for `key`, placeholders filled from `args` (numbers are formatted for the language). */
export function t(key: TextKey, args?: Args): string {
  return fill((translate(key) as string | undefined) ?? key, args && formatNumbers(args));
}

/** The plural form of `key` for `count` (Intl.PluralRules), with `{{ count }}` formatted for the language. */
export function plural(key: PluralKey, count: number, args?: Args): string {
  const forms = translate(key);
  const form = forms[pluralRules(locale()).select(count)] ?? forms.other;
  return fill(form, formatNumbers({ ...args, count }));
}

const cache = new Map<string, unknown>();
function cached<T>(key: string, make: () => T): T {
  if (!cache.has(key)) cache.set(key, make());
  return cache.get(key) as T;
}
const pluralRules = (tag: string) => cached(`p ${tag}`, () => new Intl.PluralRules(tag));
const numberFormat = (tag: string, options?: Intl.NumberFormatOptions) => cached(`n ${tag} ${JSON.stringify(options)}`, () => new Intl.NumberFormat(tag, options));
const formatNumbers = (args: Args): Args => Object.fromEntries(Object.entries(args).map(([k, v]) => [k, typeof v === "number" ? formatNumber(v) : v]));

export const formatNumber = (n: number, options?: Intl.NumberFormatOptions): string => numberFormat(locale(), options).format(n);
/** A date and time as the language writes it ("12/1/2026, 1:05:00 PM", "1.12.2026, 13:05:00"). */
export const formatDateTime = (ms: number): string => new Date(ms).toLocaleString(locale());
export const formatTime = (ms: number): string => new Date(ms).toLocaleTimeString(locale());
/**
 * A time for `<time dateTime>`, or undefined when it is no date (a synced or imported value out of
 * range): `toISOString` throws on those, and one such note would break the whole list it is in.
 */
export const isoDateTime = (ms: number): string | undefined => {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
};
/** A language's name in that language ("English", "Deutsch"), for the picker. */
export const languageName = (l: Language): string => cached(`d ${l}`, () => new Intl.DisplayNames([l], { type: "language" }).of(l) ?? l);

async function catalogueOf(l: Language): Promise<Catalogue> {
  return l === "en" ? english() : LOADERS[l]();
}

/**
 * The words of the screens loaded after the first paint (English's second part): each such
 * screen's lazy import waits for this too, so it never renders a key. Other languages load whole.
 */
export async function loadLaterTexts(): Promise<void> {
  if (englishLater) return;
  englishLater = (await import("./en.later")).enLater;
  if (language() === "en") setCatalogue(english());
}

/** Counts language switches: a catalogue that finishes loading after a later choice is dropped. */
let switches = 0;

async function apply(l: Language): Promise<void> {
  const mine = ++switches;
  const next = await catalogueOf(l);
  if (mine !== switches) return;
  batch(() => {
    setCatalogue(next);
    setLanguageSignal(l);
  });
  if (typeof document !== "undefined") document.documentElement.lang = l;
}

/** Picks the language at start (this device's choice, else the browser's) and loads its catalogue before the first paint. */
export function startLanguage(): Promise<void> {
  const l = pickLanguage(browserLanguages(), storedLanguage());
  return apply(l).catch(() => apply(SOURCE_LANGUAGE)); // a catalogue that cannot load: English, never a blank app
}

/** Settings: switch now, everywhere on screen, and remember it on this device. */
export async function chooseLanguage(l: Language): Promise<void> {
  const mine = switches + 1;
  await apply(l);
  if (mine === switches) storeLanguage(l); // a later choice wins, on screen and on disk
}
