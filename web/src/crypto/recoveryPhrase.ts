/**
 * The recovery phrase: one generation's 32-byte account secret as 24 BIP39 words (English list),
 * with BIP39's checksum, so a mistyped or misremembered word is caught before anything is tried.
 * Encoding and checksum come from `@scure/bip39` (audited), not from code of ours.
 */
import { entropyToMnemonic, mnemonicToEntropy } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english.js";

/** 32 bytes of secret make 24 words (256 bits + 8 bits of checksum, 11 bits a word). */
export const RECOVERY_SECRET_BYTES = 32;
import { RECOVERY_PHRASE_WORDS } from "./phraseLength";

export { RECOVERY_PHRASE_WORDS };

/** A phrase that cannot be read: the message says what is wrong, in words for the person. */
export class RecoveryPhraseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RecoveryPhraseError";
  }
}

export function secretToPhrase(secret: Uint8Array): string {
  if (secret.length !== RECOVERY_SECRET_BYTES) throw new Error(`an account secret is ${RECOVERY_SECRET_BYTES} bytes, not ${secret.length}`);
  return entropyToMnemonic(secret, wordlist);
}

/** Spaces, line breaks, numbering ("1." "2)") and capitals, as people copy a phrase, are forgiven. */
export function normalisePhrase(typed: string): string[] {
  return typed
    .normalize("NFKD")
    .toLowerCase()
    .replace(/\b\d+[.):]?\s/g, " ")
    .split(/[^a-z]+/)
    .filter((w) => w !== "");
}

/** The secret a typed phrase encodes, or a RecoveryPhraseError naming what is wrong. */
export function phraseToSecret(typed: string): Uint8Array {
  const words = normalisePhrase(typed);
  if (words.length !== RECOVERY_PHRASE_WORDS) {
    throw new RecoveryPhraseError(`a recovery phrase has ${RECOVERY_PHRASE_WORDS} words; this has ${words.length}`);
  }
  const unknown = words.map((w, i) => [w, i + 1] as const).filter(([w]) => !wordlist.includes(w));
  if (unknown.length > 0) {
    const [word, position] = unknown[0]!;
    throw new RecoveryPhraseError(`word ${position} (“${word}”) is not a recovery phrase word; check its spelling`);
  }
  try {
    return mnemonicToEntropy(words.join(" "), wordlist);
  } catch {
    throw new RecoveryPhraseError("these words are not a recovery phrase: one of them is wrong or two are swapped (its checksum does not match)");
  }
}
