import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["shared/**/*.test.ts", "web/**/*.test.ts", "scripts/**/*.test.ts", "bench/**/*.test.ts", "worker/**/*.unit.test.ts"],
          environment: "node",
          testTimeout: 30_000,
        },
      },
      {
        plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.toml" }, miniflare: { bindings: { AUTH_SECRET: "test-secret-not-for-production-0123456789" } } })],
        test: {
          name: "worker",
          include: ["worker/**/*.test.ts"],
          // *.unit.test.ts run in plain Node (the unit project), without workerd.
          exclude: [...configDefaults.exclude, "worker/**/*.unit.test.ts"],
          // `npm run soak` raises the property tests' case count; FC_SEED/FC_PATH replay a failure.
          provide: {
            soakRuns: Number(process.env.SOAK_RUNS ?? 6),
            fcSeed: process.env.FC_SEED ?? "",
            fcPath: process.env.FC_PATH ?? "",
            soakMutant: process.env.SOAK_MUTANT === "1",
          },
        },
      },
      {
        test: {
          name: "e2e",
          include: ["e2e/**/*.test.ts"],
          environment: "node",
          globalSetup: ["e2e/globalSetup.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Live queries, sync and a busy CI machine: give every expect.poll time to settle.
          expect: { poll: { timeout: 15_000, interval: 100 } },
          // Browsers and the local server share two cores; one file at a time keeps timings sane.
          fileParallelism: false,
        },
      },
    ],
  },
});
