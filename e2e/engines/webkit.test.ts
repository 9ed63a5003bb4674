/** The core flows in WebKitGTK's MiniBrowser, driven through WebKitWebDriver under xvfb-run. */
import { coreFlows } from "./coreFlows.ts";

// MiniBrowser's automation session has no OPFS: the app must say so and use IndexedDB.
// MiniBrowser runs without JavaScriptCore's optimizing WebAssembly tier (webkit.ts, README).
coreFlows("webkit", {
  storage: "idb",
  banner: /IndexedDB.*OPFS|OPFS.*IndexedDB/,
});
