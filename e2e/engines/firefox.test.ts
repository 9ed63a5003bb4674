/** The core flows in Debian's Firefox ESR, driven by puppeteer-core over WebDriver BiDi. */
import { coreFlows } from "./coreFlows.ts";

// Firefox gives the worker OPFS sync access handles, so the app must use its first choice.
coreFlows("firefox", { storage: "opfs" });
