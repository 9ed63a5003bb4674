/** Frame times from a requestAnimationFrame recorder, summarised as the scroll metric reports them. */
import { quantile, sortedCopy } from "./measure.ts";

/** One frame at 60 Hz; a frame that took longer showed late (a dropped frame). */
export const FRAME_BUDGET_MS = 1000 / 60;
/** rAF times are frame start times on the 60 Hz beat; this much slack keeps an on-time frame on time. */
const FRAME_SLACK_MS = 0.5;

export interface FrameStats {
  frames: number;
  /** Frames longer than FRAME_BUDGET_MS. */
  over: number;
  overPercent: number;
  p95: number;
  max: number;
}

export function frameStats(deltas: readonly number[]): FrameStats {
  if (deltas.length === 0) throw new Error("no frames were recorded while scrolling");
  const sorted = sortedCopy(deltas);
  const over = deltas.filter((d) => d > FRAME_BUDGET_MS + FRAME_SLACK_MS).length;
  return { frames: deltas.length, over, overPercent: (100 * over) / deltas.length, p95: quantile(sorted, 0.95), max: sorted.at(-1)! };
}
