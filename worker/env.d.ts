// Types `exports` and `env` from "cloudflare:workers" after this Worker (as `wrangler types` would).
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("./index");
    durableNamespaces: "UserLog";
  }
  interface Env {
    USER_LOG: DurableObjectNamespace<import("./userLog").UserLog>;
    AUTH_SECRET: string;
    ASSETS: Fetcher;
  }
}
