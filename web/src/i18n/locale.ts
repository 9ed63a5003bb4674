/** Which language the app speaks: the device's choice, else the browser's first one we have, else English. */

/** The languages with a catalogue; English is the source (en.ts). */
export const LANGUAGES = ["en", "de"] as const;
export type Language = (typeof LANGUAGES)[number];
export const SOURCE_LANGUAGE: Language = "en";

/** Where this device remembers a language picked in Settings (absent: follow the browser). */
export const LANGUAGE_KEY = "cobrain.language";

export function isLanguage(value: unknown): value is Language {
  return typeof value === "string" && (LANGUAGES as readonly string[]).includes(value);
}

/** The first of the browser's languages (BCP 47 tags, best first) that we have, by its primary subtag. */
export function pickLanguage(browserLanguages: readonly string[], stored?: string | null): Language {
  if (isLanguage(stored)) return stored;
  for (const tag of browserLanguages) {
    const primary = tag.split("-")[0]!.toLowerCase();
    if (isLanguage(primary)) return primary;
  }
  return SOURCE_LANGUAGE;
}

/**
 * The tag Intl formats with: the browser's own regional tag for that language when it has one
 * ("en-GB" dates stay British under English), else the bare language.
 */
export function formattingLocale(language: Language, browserLanguages: readonly string[]): string {
  return browserLanguages.find((tag) => tag.split("-")[0]!.toLowerCase() === language) ?? language;
}

export function storedLanguage(): string | null {
  try {
    return localStorage.getItem(LANGUAGE_KEY);
  } catch {
    return null; // storage refused (some private windows): follow the browser
  }
}

export function storeLanguage(language: Language): void {
  try {
    localStorage.setItem(LANGUAGE_KEY, language);
  } catch {
    // not remembered; the language still changes for this visit
  }
}
