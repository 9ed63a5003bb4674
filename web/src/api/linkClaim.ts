/** The new device's side of linking: spend a code shown on a signed-in device, get a token. */
import type { DbClient } from "../db/client";
import { deviceName, devicePlatform } from "./deviceInfo";
import { answer, serverApi } from "./serverApi";

export async function claimLinkCode(client: DbClient, code: string, serverUrl: string = location.origin): Promise<void> {
  const claim = serverApi(serverUrl).api.public["link-claim"].$post({ json: { code, name: deviceName(), platform: devicePlatform() } });
  const { token } = await answer(claim);
  if (typeof token !== "string" || token === "") throw new Error("the server did not send a sign-in token for this code");
  await client.signIn(token, serverUrl);
}
