import { createSignal, Show, type Accessor } from "solid-js";
import type { SyncStatus } from "../../../shared/syncStatus";
import { linkAccount, linkToken, type SignInLink } from "../api/linkClaim";
import type { DbClient } from "../db/client";
import { askAboutLink } from "./LinkPrompt";
import { createAction } from "./action";
import { useDb } from "./dbContext";
import { DevicesList } from "./DevicesList";
import { LinkDevicePanel } from "./LinkDevicePanel";
import { RecoveryPhrasePanel } from "./RecoveryPhrase";
import { ErrorText } from "./ErrorText";

/**
 * Signs in with what the person typed here themselves, unless the device belongs to another
 * account: then the same question as for an opened link (LinkPrompt) decides. True when signed in.
 */
function serverOrigin(typed: string): string {
  try {
    return new URL(typed.trim() || location.origin).origin;
  } catch {
    throw new Error(`not a valid server address: ${typed}`);
  }
}

async function signInTyped(client: DbClient, link: SignInLink): Promise<boolean> {
  const [target, owner] = await Promise.all([linkAccount(link), client.account()]);
  if (owner && (owner.userId !== target.userId || owner.serverUrl !== target.serverUrl)) {
    askAboutLink(link);
    return false;
  }
  const { token, refresh } = await linkToken(link);
  await client.signIn(token, link.serverUrl, refresh);
  return true;
}

/** Sign in with a pasted token (or link), see who is signed in, sign out. */
export function SyncSettings(props: { status: Accessor<SyncStatus>; onClose: () => void }) {
  const { client } = useDb();
  const [token, setToken] = createSignal("");
  const [server, setServer] = createSignal(location.origin);
  const [code, setCode] = createSignal("");
  // Both forms share one action: one attempt at a time, and its error shows below them.
  const signingIn = createAction();

  const useCode = (event: SubmitEvent) => {
    event.preventDefault();
    void signingIn.run(async () => {
      const serverUrl = serverOrigin(server());
      if (!(await signInTyped(client, { kind: "code", code: code(), serverUrl }))) return;
      setCode("");
      props.onClose();
    });
  };

  const signingOut = createAction();
  const [signedOutNote, setSignedOutNote] = createSignal<string>();
  /** Sign-out revokes this device on the server; `erase` is for a shared computer. */
  const signOut = (erase: boolean) =>
    void signingOut.run(async () => {
      if (erase && !confirm("Erase every note on this device? Notes that only this device holds are lost (export first in Settings → Export).")) return;
      const { revokedOnServer } = await client.signOut({ erase });
      if (erase) location.reload();
      setSignedOutNote(
        revokedOnServer
          ? "Signed out: this device is revoked on the server."
          : "Signed out here, but the server could not be told; revoke this device from another device's list.",
      );
    });

  const signIn = (event: SubmitEvent) => {
    event.preventDefault();
    void signingIn.run(async () => {
      const pasted = token().trim();
      // Accept a whole sign-in link as well as the bare token.
      const bare = pasted.includes("#token=") ? pasted.split("#token=")[1]! : pasted;
      const serverUrl = serverOrigin(server());
      if (!(await signInTyped(client, { kind: "token", token: bare, serverUrl }))) return;
      setToken("");
      props.onClose();
    });
  };

  return (
    <section class="panel" aria-labelledby="sync-settings-title">
      <div class="panel-head">
        <h2 id="sync-settings-title">Sync</h2>
        <button type="button" class="ghost" onClick={props.onClose} aria-label="Close sync settings">
          ✕
        </button>
      </div>
      <Show
        when={props.status().state !== "signed-out"}
        fallback={
          <>
          <form class="stack" onSubmit={useCode}>
            <p class="muted">Already use CoBrain on another device? Show a link code there (Sync → Link another device) and enter it here.</p>
            <label>
              Link code
              <input value={code()} onInput={(e) => setCode(e.currentTarget.value)} autocomplete="one-time-code" spellcheck={false} placeholder="ABCD-EFGH" />
            </label>
            <button type="submit" disabled={signingIn.pending() || code().trim().length < 8}>
              Link this device
            </button>
          </form>
          <form class="stack" onSubmit={signIn}>
            <p class="muted">Paste the sign-in link or token you were given. Your notes stay on this device either way.</p>
            <label>
              Sign-in link or token
              <input value={token()} onInput={(e) => setToken(e.currentTarget.value)} autocomplete="off" spellcheck={false} required />
            </label>
            <label>
              Sync server
              <input value={server()} onInput={(e) => setServer(e.currentTarget.value)} inputmode="url" />
            </label>
            <button type="submit" disabled={signingIn.pending()}>
              Sign in
            </button>
          </form>
          </>
        }
      >
        <p>
          Signed in as <strong>{props.status().userId}</strong> on device <strong>{props.status().deviceId}</strong>, syncing with{" "}
          {props.status().serverUrl}.
        </p>
        <div class="inline">
          <button type="button" disabled={signingOut.pending()} onClick={() => signOut(false)}>
            Sign out (keeps notes on this device)
          </button>
          <button type="button" class="ghost" disabled={signingOut.pending()} onClick={() => signOut(true)}>
            Sign out and also erase this device's data
          </button>
        </div>
        <ErrorText message={signingOut.error()} />
        <LinkDevicePanel serverUrl={props.status().serverUrl ?? location.origin} />
        <RecoveryPhrasePanel />
        <DevicesList />
      </Show>
      <Show when={signedOutNote()}>
        <p class="muted" role="status">
          {signedOutNote()}
        </p>
      </Show>
      <ErrorText message={signingIn.error()} />
    </section>
  );
}
