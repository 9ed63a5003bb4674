/**
 * The security headers every response carries. The Worker sets them on what it answers
 * (`/api/*`, `/health`, `/sync` refusals, and assets it fetches); Workers Static Assets serve the
 * app shell and files without the Worker, so `public/_headers` carries the same values
 * (securityHeaders.unit.test.ts keeps the two in step).
 */

/**
 * The page's policy: scripts and styles only from this origin (the Vite build has no inline
 * script; Solid sets styles through the DOM, which CSP allows), the API and sync socket only on
 * this origin, no plugins, no <base>, no framing. No WebAssembly on the page itself.
 */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join("; ");

/**
 * The database worker and the copy worker (web/src/worker/copyWorker.ts) compile cr-sqlite's
 * WASM: only their scripts get 'wasm-unsafe-eval' (a dedicated worker is governed by the policy
 * of its own script's response).
 */
export const WASM_WORKER_CSP = PAGE_CSP.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'");

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": PAGE_CSP,
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
};

/** Whether `path` is the database or copy worker's script (the only places WebAssembly is compiled). */
export const isWasmWorkerScript = (path: string) => /^\/assets\/(databaseWorker|copyWorker)-[^/]+\.js$/.test(path);

/** Sets the headers on a response, copying it first when its headers are immutable. */
export function withSecurityHeaders(response: Response, path: string): Response {
  let out = response;
  try {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) out.headers.set(name, value);
  } catch {
    out = new Response(response.body, response);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) out.headers.set(name, value);
  }
  if (isWasmWorkerScript(path)) out.headers.set("Content-Security-Policy", WASM_WORKER_CSP);
  return out;
}
