/**
 * The new device's side of linking: a link (a token, or a one-time code shown on a signed-in
 * device) is first looked at (whose account, which server) and only then spent for a token.
 */
import { readTokenClaims } from "../../../shared/syncStatus";
import { deviceName, devicePlatform } from "./deviceInfo";
import { answer, serverApi } from "./serverApi";

/** What a person opened or pasted, not yet acted on. */
export type SignInLink =
  | { kind: "token"; token: string; serverUrl: string }
  /** `key`: the account secret (base64url) a QR link carries in its fragment; a typed code has none. */
  | { kind: "code"; code: string; serverUrl: string; key?: string };

/** Whose account the link opens, without spending it. */
export async function linkAccount(link: SignInLink): Promise<{ userId: string; serverUrl: string }> {
  if (link.kind === "token") {
    const claims = readTokenClaims(link.token);
    if (!claims) throw new Error("that is not a CoBrain sign-in token");
    return { userId: claims.userId.normalize("NFKC").toLowerCase(), serverUrl: link.serverUrl };
  }
  const peeked = await answer(serverApi(link.serverUrl).api.public["link-peek"].$post({ json: { code: link.code } }));
  return { userId: peeked.userId, serverUrl: link.serverUrl };
}

/**
 * The credentials the link gives: an access token, and for a code also the device's refresh
 * credential (a sign-in link's device enrols its own on sign-in). A code is spent here (once).
 */
export async function linkToken(link: SignInLink): Promise<{ token: string; refresh?: string }> {
  if (link.kind === "token") return { token: link.token };
  const claim = serverApi(link.serverUrl).api.public["link-claim"].$post({ json: { code: link.code, name: deviceName(), platform: devicePlatform() } });
  const { token, refresh } = await answer(claim);
  if (typeof token !== "string" || token === "") throw new Error("the server did not send a sign-in token for this code");
  return { token, refresh };
}
