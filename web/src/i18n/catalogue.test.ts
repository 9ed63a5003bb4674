import { afterEach, describe, expect, it } from "vitest";
import { de } from "./de";
import { en, type PluralForms } from "./en";
import { enLater } from "./en.later";
import { chooseLanguage, formatNumber, loadLaterTexts, locale, plural, t } from "./i18n";
import { formattingLocale, pickLanguage } from "./locale";
import { actionWords, problemWords } from "./syncWords";
import { CloseCode } from "../../../shared/syncProtocol";
import { refusalOfClose } from "../../../shared/syncRefusals";
import { HELD_ACTION, type SyncStatus } from "../../../shared/syncStatus";

const english: Record<string, string | PluralForms> = { ...en, ...enLater };
const placeholders = (text: string) => [...text.matchAll(/{{\s*(\w+)\s*}}/g)].map((m) => m[1]).sort();
/** Every form of a text: the string itself, or each plural form. */
const forms = (value: string | PluralForms): string[] => (typeof value === "string" ? [value] : Object.values(value));

describe("the catalogues", () => {
  it("English's two parts do not share a key", () => {
    expect(Object.keys(en).filter((k) => k in enLater)).toEqual([]);
  });

  it("German has exactly the English keys, each a text where English has a text and plural forms where it has them", () => {
    expect(Object.keys(de).sort()).toEqual(Object.keys(english).sort());
    for (const [key, value] of Object.entries(english)) expect(typeof de[key as keyof typeof de], key).toBe(typeof value);
  });

  it("every key has the same placeholders in both languages, in every plural form", () => {
    for (const [key, value] of Object.entries(english)) {
      const wanted = placeholders(forms(value)[0]!);
      for (const form of [...forms(value), ...forms(de[key as keyof typeof de])]) expect(placeholders(form), `${key}: ${form}`).toEqual(wanted);
    }
  });

  it("plural texts fill {{ count }} and have an `other` form", () => {
    for (const [key, value] of Object.entries(english)) {
      if (typeof value === "string") continue;
      for (const c of [value, de[key as keyof typeof de] as PluralForms]) {
        expect(c.other, key).toBeTypeOf("string");
        for (const form of forms(c)) expect(placeholders(form), key).toContain("count");
      }
    }
  });
});

describe("words and numbers in the chosen language", () => {
  afterEach(() => chooseLanguage("en"));

  it("English: plural forms and grouped numbers", async () => {
    await chooseLanguage("en");
    expect(plural("import.done", 1)).toBe("Imported 1 note.");
    expect(plural("import.done", 10_000)).toBe("Imported 10,000 notes.");
    expect(plural("notes.versions", 2)).toBe("2 versions");
    expect(t("sync.receiving", { received: 1234, total: 5000, percent: formatNumber(0.24, { style: "percent" }) })).toBe("Receiving 1,234 of 5,000 notes (24%)");
    const mb = (n: number) => formatNumber(n, { maximumFractionDigits: 1, minimumFractionDigits: 1 });
    expect(t("sync.receivingCopy", { received: mb(3.25), total: mb(8), percent: formatNumber(0.4, { style: "percent" }) })).toBe("Receiving a copy of your notes: 3.3 of 8.0 MB (40%)");
  });

  it("German: plural forms, grouped numbers and the German percent sign", async () => {
    await chooseLanguage("de");
    expect(locale()).toMatch(/^de/);
    expect(plural("import.done", 1)).toBe("1 Notiz importiert.");
    expect(plural("import.done", 10_000)).toBe("10.000 Notizen importiert.");
    expect(t("sync.receiving", { received: 1234, total: 5000, percent: formatNumber(0.24, { style: "percent" }) })).toBe("Empfange 1.234 von 5.000 Notizen (24\u00a0%)");
    const mb = (n: number) => formatNumber(n, { maximumFractionDigits: 1, minimumFractionDigits: 1 });
    expect(t("sync.receivingCopy", { received: mb(3.25), total: mb(8), percent: formatNumber(0.4, { style: "percent" }) })).toBe("Empfange eine Kopie Ihrer Notizen: 3,3 von 8,0 MB (40\u00a0%)");
  });

  it("a placeholder value is inserted as it is (a title holding $& is not a replacement pattern)", () => {
    expect(t("search.nothing", { query: "a $& b $1" })).toBe("Nothing matches “a $& b $1”.");
  });

  it("the later screens' English words are there once loaded, and German has them from the start", async () => {
    await loadLaterTexts();
    expect(t("settings.language")).toBe("Language");
    await chooseLanguage("de");
    expect(t("settings.language")).toBe("Sprache");
  });
});

describe("choosing the language", () => {
  it("takes the device's choice, else the first browser language we have, else English", () => {
    expect(pickLanguage(["de-DE", "en-US"])).toBe("de");
    expect(pickLanguage(["fr-FR", "de-AT", "en"])).toBe("de");
    expect(pickLanguage(["fr-FR", "es"])).toBe("en");
    expect(pickLanguage([])).toBe("en");
    expect(pickLanguage(["de-DE"], "en")).toBe("en");
    expect(pickLanguage(["en-US"], "de")).toBe("de");
    expect(pickLanguage(["de-DE"], "xx")).toBe("de"); // an unknown stored value is ignored
  });

  it("formats with the browser's regional tag for that language", () => {
    expect(formattingLocale("en", ["en-GB", "de"])).toBe("en-GB");
    expect(formattingLocale("de", ["en-GB", "de-CH"])).toBe("de-CH");
    expect(formattingLocale("de", ["en-US"])).toBe("de");
  });
});

describe("the sync status's words", () => {
  it("English says exactly what the sync client says (shared/syncRefusals.ts), so the two cannot drift", async () => {
    for (const [name, code] of Object.entries(CloseCode)) {
      const refusal = refusalOfClose(code)!;
      expect(english[`refusal.${name}.problem`], name).toBe(refusal.problem);
      expect(english[`refusal.${name}.action`], name).toBe(refusal.action);
      await chooseLanguage("en");
      const status: SyncStatus = { state: "error", code, problem: refusal.problem, action: refusal.action };
      expect(problemWords(status)).toBe(refusal.problem);
      expect(actionWords(status)).toBe(refusal.action);
    }
    expect(english["sync.heldAction"]).toBe(HELD_ACTION);
  });

  it("German has its own words for every refusal, and leaves the server's own words alone", async () => {
    await chooseLanguage("de");
    const refusal = refusalOfClose(CloseCode.StorageQuota)!;
    expect(problemWords({ state: "refused", code: CloseCode.StorageQuota, problem: refusal.problem, action: refusal.action })).toBe("Der Server ist für Ihr Konto voll");
    expect(problemWords({ state: "offline", reason: "socket closed" })).toBeUndefined();
    expect(actionWords({ state: "held", action: HELD_ACTION })).toBe("Kürzen oder teilen Sie sie; alles andere wird weiter synchronisiert");
    await chooseLanguage("en");
  });
});
