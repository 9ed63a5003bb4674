// Types `exports` from "cloudflare:workers" after this Worker's own entry module (as `wrangler types` would).
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("./index");
  }
}
