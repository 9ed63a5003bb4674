import { takeAllTyping } from "./keptTyping";
import { createSignal, Show, type Accessor } from "solid-js";
import type { SyncStatus } from "../../../shared/syncStatus";
import { linkAccount, linkToken, type SignInLink } from "../api/linkClaim";
import type { DbClient } from "../db/client";
import { askAboutLink } from "./linkQuestion";
import { createAction } from "./action";
import { useDb } from "./dbContext";
import { DevicesList } from "./DevicesList";
import { LinkDevicePanel } from "./LinkDevicePanel";
import { RecoveryPhrasePanel } from "./RecoveryPhrase";
import { ErrorText } from "./ErrorText";
import { t } from "../i18n/i18n";
import { rich } from "../i18n/rich";

/**
 * Signs in with what the person typed here themselves, unless the device belongs to another
 * account: then the same question as for an opened link (LinkPrompt) decides. True when signed in.
 */
function serverOrigin(typed: string): string {
  try {
    return new URL(typed.trim() || location.origin).origin;
  } catch {
    throw new Error(t("syncSettings.badServer", { address: typed }));
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
      if (erase && !confirm(t("syncSettings.eraseConfirm"))) return;
      // Erasing: typing this device kept (keptTyping.ts) goes with the notes, unless the erase fails.
      const putBack = erase ? takeAllTyping() : () => {};
      const { revokedOnServer } = await client.signOut({ erase }).catch((error: unknown) => {
        putBack();
        throw error;
      });
      if (erase) location.reload();
      setSignedOutNote(
        revokedOnServer
          ? t("syncSettings.revokedOnServer")
          : t("syncSettings.notRevoked"),
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
        <h2 id="sync-settings-title">{t("syncSettings.title")}</h2>
        <button type="button" class="ghost" onClick={props.onClose} aria-label={t("syncSettings.close")}>
          ✕
        </button>
      </div>
      <Show
        when={props.status().state !== "signed-out"}
        fallback={
          <>
          <form class="stack" onSubmit={useCode}>
            <p class="muted">{t("syncSettings.codeIntro")}</p>
            <label>
              {t("common.linkCode")}
              <input value={code()} onInput={(e) => setCode(e.currentTarget.value)} autocomplete="one-time-code" spellcheck={false} placeholder="ABCD-EFGH" />
            </label>
            <button type="submit" disabled={signingIn.pending() || code().trim().length < 8}>
              {t("syncSettings.linkThis")}
            </button>
          </form>
          <form class="stack" onSubmit={signIn}>
            <p class="muted">{t("syncSettings.tokenIntro")}</p>
            <label>
              {t("syncSettings.token")}
              <input value={token()} onInput={(e) => setToken(e.currentTarget.value)} autocomplete="off" spellcheck={false} required />
            </label>
            <label>
              {t("syncSettings.server")}
              <input value={server()} onInput={(e) => setServer(e.currentTarget.value)} inputmode="url" />
            </label>
            <button type="submit" disabled={signingIn.pending()}>
              {t("syncSettings.signIn")}
            </button>
          </form>
          </>
        }
      >
        <p>
          {rich(t("syncSettings.signedIn"), {
            user: <strong>{props.status().userId}</strong>,
            device: <strong>{props.status().deviceId}</strong>,
            server: props.status().serverUrl ?? "",
          })}
        </p>
        <div class="inline">
          <button type="button" disabled={signingOut.pending()} onClick={() => signOut(false)}>
            {t("syncSettings.signOut")}
          </button>
          <button type="button" class="ghost" disabled={signingOut.pending()} onClick={() => signOut(true)}>
            {t("syncSettings.signOutErase")}
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
