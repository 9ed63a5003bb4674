/**
 * What every benchmark step shares: a bounded wait (a stuck step fails with a reason instead of
 * hanging the run), repetitions summarised as median with min and max, and quantiles.
 */

/** A step that takes longer than its bound failed; the error says which step and how long. */
export class StepTimeout extends Error {}

/** `promise`, or a StepTimeout after `ms`. The caller's `finally` must close what the step opened. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StepTimeout(`${what}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Polls `condition` (each poll bounded too) until it holds, or fails after `timeoutMs`. */
export async function until(condition: () => Promise<boolean>, timeoutMs: number, what: string, pollMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await withTimeout(condition(), Math.max(1_000, deadline - Date.now()), what))) {
    if (Date.now() > deadline) throw new StepTimeout(`${what}: did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

export interface Summary {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function summarise(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error("no samples to summarise");
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), min: sorted[0]!, max: sorted.at(-1)!, n: sorted.length };
}

/** The sample at rank ⌊q·n⌋ of an ascending list (nearest rank; no interpolation). */
export function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export const sortedCopy = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);

/** Runs `fn` `times` times, one after the other. */
export async function repeat<T>(times: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < times; i++) out.push(await fn(i));
  return out;
}
