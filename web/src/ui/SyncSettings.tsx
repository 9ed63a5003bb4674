import { createSignal, Show, type Accessor } from "solid-js";
import type { SyncStatus } from "../../../shared/syncStatus";
import { claimLinkCode } from "../api/linkClaim";
import { createAction } from "./action";
import { useDb } from "./dbContext";
import { DevicesList } from "./DevicesList";
import { LinkDevicePanel } from "./LinkDevicePanel";
import { ErrorText } from "./ErrorText";

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
      await claimLinkCode(client, code(), server().trim() || location.origin);
      setCode("");
      props.onClose();
    });
  };

  const signIn = (event: SubmitEvent) => {
    event.preventDefault();
    void signingIn.run(async () => {
      const pasted = token().trim();
      // Accept a whole sign-in link as well as the bare token.
      const bare = pasted.includes("#token=") ? pasted.split("#token=")[1]! : pasted;
      await client.signIn(bare, server().trim() || location.origin);
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
        <button type="button" onClick={() => void client.signOut()}>
          Sign out (keeps notes on this device)
        </button>
        <LinkDevicePanel serverUrl={props.status().serverUrl ?? location.origin} />
        <DevicesList />
      </Show>
      <ErrorText message={signingIn.error()} />
    </section>
  );
}
