// Types `exports` and `env` from "cloudflare:workers" after this Worker (as `wrangler types` would).
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("./index");
    durableNamespaces: "UserLog" | "LinkCodes";
  }
  interface Env {
    USER_LOG: DurableObjectNamespace<import("./userLog").UserLog>;
    LINK_CODES: DurableObjectNamespace<import("./linkCodes").LinkCodes>;
    AUTH_SECRET: string;
    ASSETS: Fetcher;
  }
}

// Compiled WASM imports (workerd): the module, ready to instantiate.
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
