/**
 * Ports for the tests that start a local server of their own. Vitest can run e2e files at once
 * (E2E_FILES_AT_ONCE, vitest.config.ts); each worker (VITEST_POOL_ID 1, 2, ...) gets its own range, 100 apart, so
 * two files restarting "their" server never meet on one port.
 */
const WORKER_PORT_STRIDE = 100;

export function ownServerPort(variable: "E2E_RESTART_PORT" | "E2E_SYNC_RESTART_PORT", fallback: number): number {
  const base = Number(process.env[variable] ?? fallback);
  const worker = Number(process.env.VITEST_POOL_ID ?? 1);
  return base + WORKER_PORT_STRIDE * (worker - 1);
}
