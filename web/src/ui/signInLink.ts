/**
 * A sign-in link carries the token in the URL fragment (`/#token=…`), which never reaches a
 * server. Take it, remove it from the address bar and history, and sign in.
 */
import type { DbClient } from "../db/client";

export function consumeSignInLink(client: DbClient, onError: (message: string) => void): void {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!match) return;
  history.replaceState(null, "", location.pathname + location.search);
  client.signIn(decodeURIComponent(match[1]!), location.origin).catch((error: unknown) => {
    onError(error instanceof Error ? error.message : String(error));
  });
}
