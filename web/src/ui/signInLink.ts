/**
 * Links into the app that would sign a device in: `/#token=…` (a token) or `/#link=CODE&key=…` (a
 * QR code shown by another device; `key` is the account secret). The fragment never reaches a
 * server; it is removed from the address bar and history at once, and nothing happens until the
 * person says yes (LinkPrompt).
 */
import type { SignInLink } from "../api/linkClaim";

export function takeSignInLink(): SignInLink | undefined {
  const token = /(?:^#|&)token=([^&]+)/.exec(location.hash)?.[1];
  const code = /(?:^#|&)link=([^&]+)/.exec(location.hash)?.[1];
  const key = /(?:^#|&)key=([A-Za-z0-9_-]+)/.exec(location.hash)?.[1];
  if (!token && !code) return undefined;
  history.replaceState(null, "", location.pathname + location.search);
  return token ? { kind: "token", token: decodeURIComponent(token).trim(), serverUrl: location.origin } : { kind: "code", code: decodeURIComponent(code!), serverUrl: location.origin, key };
}
