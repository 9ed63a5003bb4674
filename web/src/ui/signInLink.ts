/**
 * Links into the app that sign a device in: `/#token=…` (a token, e.g. printed by
 * `npm run token`) or `/#link=CODE` (a QR code shown by another device). The fragment never
 * reaches a server; it is removed from the address bar and history before use.
 */
import type { DbClient } from "../db/client";
import { claimLinkCode } from "../api/linkClaim";
import { errorMessage } from "../../../shared/errorMessage";

export function consumeSignInLink(client: DbClient, onError: (message: string) => void): void {
  const token = /(?:^#|&)token=([^&]+)/.exec(location.hash)?.[1];
  const code = /(?:^#|&)link=([^&]+)/.exec(location.hash)?.[1];
  if (!token && !code) return;
  history.replaceState(null, "", location.pathname + location.search);
  const signIn = token ? client.signIn(decodeURIComponent(token), location.origin) : claimLinkCode(client, decodeURIComponent(code!));
  signIn.catch((error: unknown) => onError(errorMessage(error)));
}
