/** Starts a device in any engine; the devices a test starts are closed after it. */
import { afterEach } from "vitest";
import type { EngineDevice, EngineName } from "./driver.ts";
import { launchPuppeteerDevice } from "./puppeteer.ts";
import { launchWebKitDevice } from "./webkit.ts";

export function launchDevice(engine: EngineName): Promise<EngineDevice> {
  return engine === "webkit" ? launchWebKitDevice() : launchPuppeteerDevice(engine);
}

/** Call inside a describe: `devices.launch(engine)` starts one, closed after each test. */
export function engineDevices() {
  const open: EngineDevice[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((d) => d.close()));
  });
  return {
    async launch(engine: EngineName): Promise<EngineDevice> {
      const device = await launchDevice(engine);
      open.push(device);
      return device;
    },
  };
}
