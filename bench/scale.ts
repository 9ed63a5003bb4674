/** Scale suite: 100,000 notes (filled in below). */
import type { Metric } from "./report.ts";

export async function scaleSuite(): Promise<Metric[]> {
  return [];
}
