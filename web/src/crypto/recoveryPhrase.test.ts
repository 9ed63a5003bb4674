import { describe, expect, it } from "vitest";
import { wordlist } from "@scure/bip39/wordlists/english.js";
import { phraseToSecret, RecoveryPhraseError, secretToPhrase } from "./recoveryPhrase";

const secret = () => crypto.getRandomValues(new Uint8Array(32));

describe("recovery phrase", () => {
  it("encodes a 32-byte secret as 24 English words and reads it back", () => {
    for (let i = 0; i < 20; i++) {
      const s = secret();
      const phrase = secretToPhrase(s);
      expect(phrase.split(" ")).toHaveLength(24);
      expect(phraseToSecret(phrase)).toEqual(s);
    }
  });

  it("forgives capitals, numbering and line breaks as people copy it", () => {
    const s = secret();
    const typed = secretToPhrase(s)
      .split(" ")
      .map((w, i) => `${i + 1}. ${i % 2 ? w.toUpperCase() : w}`)
      .join("\n");
    expect(phraseToSecret(typed)).toEqual(s);
  });

  it("refuses a wrong checksum (one valid word replaced) with a clear error", () => {
    const words = secretToPhrase(secret()).split(" ");
    // Some replacement of word 5 keeps the checksum by chance (1 in 256); find one that does not.
    const wrong = wordlist.map((w) => [...words.slice(0, 4), w, ...words.slice(5)].join(" ")).find((p) => {
      try {
        phraseToSecret(p);
        return false;
      } catch {
        return true;
      }
    })!;
    expect(() => phraseToSecret(wrong)).toThrow(RecoveryPhraseError);
    expect(() => phraseToSecret(wrong)).toThrow(/checksum/);
  });

  it("names a word that is not in the list, and a wrong word count", () => {
    const words = secretToPhrase(secret()).split(" ");
    words[6] = "notaword";
    expect(() => phraseToSecret(words.join(" "))).toThrow(/word 7 \(“notaword”\)/);
    expect(() => phraseToSecret(words.slice(0, 12).join(" "))).toThrow(/24 words; this has 12/);
    expect(() => secretToPhrase(new Uint8Array(16))).toThrow(/32 bytes/);
  });
});
