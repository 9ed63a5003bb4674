/** The core flows in WebKitGTK's MiniBrowser, driven through WebKitWebDriver under xvfb-run. */
import { coreFlows } from "./coreFlows.ts";

// MiniBrowser's automation session has no OPFS: the app must say so and use IndexedDB.
coreFlows("webkit", {
  storage: "idb",
  banner: /IndexedDB.*OPFS|OPFS.*IndexedDB/,
  // Seen in most of our runs (README, "Browser tests"): the reloaded page's database worker takes the
  // owner lock and never finishes opening IndexedDB; the page stays on "Opening your notes…".
  reloadAfterEditSkip: "known bug: after editing a note, a reload in WebKitGTK can hang opening IndexedDB",
});
