// Values vitest.config.ts provides to the Worker tests (see `npm run soak`).
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    soakRuns: number;
    fcSeed: string;
    fcPath: string;
    /** `npm run soak -- --mutant`: run the convergence property against a broken compaction. */
    soakMutant: boolean;
  }
  /** Counts the property tests report to `npm run soak` through Vitest's JSON report. */
  export interface TaskMeta {
    soak?: Record<string, string | number | boolean | null>;
  }
}
