/**
 * `npm test` runs every browser story once or a few times, except the files below; `npm run
 * test:long` (E2E_LONG=1, which CI runs after `npm test`) runs those with their repetitions and
 * minute-long watches in full. They are a good part of the browser tests' time, and `npm test` is
 * meant to stay well under 15 minutes; CI ran them twice (short, then in full) before.
 * E2E_LONG=0 runs them, named, in their quick form.
 */
export const LONG = process.env.E2E_LONG === "1";

/** The files `npm run test:long` runs, left out of `npm test` unless E2E_LONG is set. */
export const LONG_FILES = ["e2e/durability.test.ts", "e2e/reconnectBound.test.ts"];

/** `quick` under `npm test`, `long` under `npm run test:long`; `override` (an env variable) wins. */
export function repetitions(quick: number, long: number, override?: string): number {
  return override ? Number(override) : LONG ? long : quick;
}
