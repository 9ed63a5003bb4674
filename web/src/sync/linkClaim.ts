/** The new device's side of linking: spend a code shown on a signed-in device, get a token. */
import type { DbClient } from "../db/client";
import { deviceName, devicePlatform } from "./deviceInfo";

export async function claimLinkCode(client: DbClient, code: string, serverUrl: string = location.origin): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`${serverUrl.replace(/\/$/, "")}/api/public/link-claim`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ code, name: deviceName(), platform: devicePlatform() }),
    });
  } catch {
    throw new Error("the sync server cannot be reached");
  }
  const json = (await response.json().catch(() => ({}))) as { token?: string; error?: string };
  if (!response.ok || !json.token) throw new Error(json.error ?? `the server answered ${response.status}`);
  await client.signIn(json.token, serverUrl);
}
