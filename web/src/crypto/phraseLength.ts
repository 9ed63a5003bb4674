/**
 * Words in a recovery phrase (256 bits of entropy in BIP39). Apart from recoveryPhrase.ts so the
 * screens that only name the count do not load the word list with the first paint.
 */
export const RECOVERY_PHRASE_WORDS = 24;
