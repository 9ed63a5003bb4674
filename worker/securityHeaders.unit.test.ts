import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PAGE_CSP, SECURITY_HEADERS, WASM_WORKER_CSP } from "./securityHeaders";

describe("public/_headers", () => {
  const file = readFileSync(new URL("../public/_headers", import.meta.url), "utf8");
  it("gives static assets the same headers the Worker sets", () => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(file).toContain(`  ${name}: ${value}\n`);
  });
  it("gives only the database and copy workers' scripts 'wasm-unsafe-eval'", () => {
    expect(PAGE_CSP).not.toContain("wasm-unsafe-eval");
    expect(file.match(/wasm-unsafe-eval/g)).toHaveLength(2);
    expect(file).toContain("/assets/databaseWorker-*\n  ! Content-Security-Policy\n");
    expect(file).toContain("/assets/copyWorker-*\n  ! Content-Security-Policy\n");
    expect(file).toContain(`  Content-Security-Policy: ${WASM_WORKER_CSP}\n`);
  });
});
