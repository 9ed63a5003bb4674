/** The core flows in WebKitGTK's MiniBrowser, driven through WebKitWebDriver under xvfb-run. */
import { coreFlows } from "./coreFlows.ts";

// MiniBrowser's automation session has no OPFS: the app must say so and use IndexedDB.
coreFlows("webkit", {
  storage: "idb",
  banner: /IndexedDB.*OPFS|OPFS.*IndexedDB/,
  // README, "Browser tests": a reloaded page can wait 40 s to minutes on "Opening your notes…"; measured,
  // the wait is in starting the asyncify SQLite WASM build, after IndexedDB has opened and answered.
  reloadAfterEditSkip: "known bug: a reload in WebKitGTK can take minutes starting the SQLite WASM build",
});
