/**
 * The first paint has only English's first part (en.ts); en.later.ts comes with the later
 * screens. A component of the first paint that used a later key would show the key itself, so
 * every key used by code statically reachable from main.tsx must be in en.ts.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { en } from "./en";

const SRC = resolve(import.meta.dirname, "..");
const CORE_KEYS = Object.keys(en);
/** Reads later keys only in a language other than English, whose catalogue is loaded whole. */
const WHOLE_CATALOGUE_ONLY = new Set(["i18n/syncWords.ts"]);

function resolveImport(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec);
  return [base, `${base}.ts`, `${base}.tsx`, join(base, "index.ts")].find((p) => existsSync(p) && /\.tsx?$/.test(p));
}

/** Files main.tsx reaches through static, non-type imports (dynamic import() starts a later chunk). */
function firstPaintFiles(): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file) || !file.startsWith(SRC)) return;
    seen.add(file);
    const source = readFileSync(file, "utf8");
    for (const m of source.matchAll(/^\s*import\s+(type\s)?(?:[^;"']*?\sfrom\s+)?["'](\.[^"']+)["']/gm)) {
      if (m[1]) continue;
      const target = resolveImport(file, m[2]!);
      if (target) visit(target);
    }
  };
  visit(join(SRC, "main.tsx"));
  return [...seen].filter((f) => !f.endsWith(".test.ts"));
}

/** Keys passed to t() or plural() as literals, and the fixed start of template keys. */
function keysUsed(source: string): { keys: string[]; prefixes: string[] } {
  return {
    keys: [...source.matchAll(/\b(?:t|plural)\(\s*"([^"]+)"/g)].map((m) => m[1]!),
    prefixes: [...source.matchAll(/\b(?:t|plural)\(\s*`([^`$]*)\$\{/g)].map((m) => m[1]!),
  };
}

describe("the first paint's words", () => {
  const files = firstPaintFiles();
  const name = (f: string) => relative(SRC, f);

  it("follows static imports from main.tsx and stops at the lazily loaded screens", () => {
    expect(files.map(name)).toEqual(expect.arrayContaining(["main.tsx", "ui/App.tsx", "ui/NotesPane.tsx", "ui/SyncIndicator.tsx", "i18n/en.ts"]));
    expect(files.map(name)).not.toContain("ui/NoteEditor.tsx");
    expect(files.map(name)).not.toContain("ui/SettingsPane.tsx");
    expect(files.map(name)).not.toContain("i18n/en.later.ts");
  });

  it("uses only keys of en.ts", () => {
    const missing: string[] = [];
    for (const file of files.filter((f) => !WHOLE_CATALOGUE_ONLY.has(name(f)))) {
      const { keys, prefixes } = keysUsed(readFileSync(file, "utf8"));
      for (const key of keys) if (!CORE_KEYS.includes(key)) missing.push(`${name(file)}: ${key}`);
      for (const prefix of prefixes) if (!CORE_KEYS.some((k) => k.startsWith(prefix))) missing.push(`${name(file)}: ${prefix}…`);
    }
    expect(missing).toEqual([]);
  });

  it("would notice a later key (the check can fail)", () => {
    expect(keysUsed('t("settings.language"); plural(`notes.versions`); t(`storage.where.${x}`)')).toEqual({ keys: ["settings.language"], prefixes: ["storage.where."] });
    expect(CORE_KEYS).not.toContain("settings.language");
  });
});
