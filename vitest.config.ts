import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { configDefaults, defineConfig } from "vitest/config";
import { LONG_FILES } from "./e2e/long.ts";

/**
 * Browser test files run at once. One by default: on two cores, two at once took 1,227 s for the
 * e2e run against 1,327 s one at a time, each file ~1.8× as slow, and two timing-sensitive tests
 * failed. E2E_FILES_AT_ONCE=2 on a machine with more cores.
 */
const E2E_FILES_AT_ONCE = Number(process.env.E2E_FILES_AT_ONCE ?? 1);

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
          // Run in full by `npm run test:long` (e2e/long.ts), not twice in CI.
          exclude: [...configDefaults.exclude, ...(process.env.E2E_LONG === undefined ? LONG_FILES : [])],
          environment: "node",
          globalSetup: ["e2e/globalSetup.ts"],
          // A test that passes in 40 s alone can take 3 min on a loaded machine.
          testTimeout: 240_000,
          hookTimeout: 120_000,
          // Live queries, sync and a busy CI machine: give every expect.poll time to settle.
          expect: { poll: { timeout: 30_000, interval: 100 } },
          // Tests that start their own server take ports by worker (e2e/ports.ts), so files can run at once.
          maxWorkers: E2E_FILES_AT_ONCE,
          // A group of its own: its maxWorkers does not apply to the unit and workerd projects.
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
