// Values vitest.config.ts provides to the Worker tests (see `npm run soak`).
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    soakRuns: number;
    fcSeed: string;
    fcPath: string;
  }
}
