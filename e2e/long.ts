/**
 * `npm test` runs every story once or a few times; `npm run test:long` (E2E_LONG=1, which CI runs
 * after `npm test`) runs the repetitions and minute-long watches in full. They are most of the
 * browser tests' time, and `npm test` is meant to stay well under 15 minutes.
 */
export const LONG = process.env.E2E_LONG === "1";

/** `quick` under `npm test`, `long` under `npm run test:long`; `override` (an env variable) wins. */
export function repetitions(quick: number, long: number, override?: string): number {
  return override ? Number(override) : LONG ? long : quick;
}
