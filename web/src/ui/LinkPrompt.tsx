/**
 * Asks before a link acts: shows whose account and which server a sign-in link or link code
 * opens. A device that belongs to another account keeps it unless the person chooses to use the
 * device for the other account, which offers an export and then starts from an empty database.
 */
import { takeAllTyping } from "./keptTyping";
import { createResource, createSignal, Match, Show, Switch } from "solid-js";
import { linkAccount, linkToken, type SignInLink } from "../api/linkClaim";
import { download, exportJson } from "../backup/backup";
import { fromBase64Url } from "../crypto/bytes";
import { createAction } from "./action";
import { useDb } from "./dbContext";
import { ErrorText } from "./ErrorText";
import { t } from "../i18n/i18n";
import { askAboutLink as setPending, pendingLink as pending } from "./linkQuestion";
import { rich } from "../i18n/rich";

export function LinkPrompt(props: { onDone: () => void }) {
  return (
    <Show when={pending()} keyed>
      {(link) => <LinkQuestion link={link} onDone={props.onDone} />}
    </Show>
  );
}

function LinkQuestion(props: { link: SignInLink; onDone: () => void }) {
  const { client } = useDb();
  const [facts] = createResource(async () => {
    const [target, owner] = await Promise.all([linkAccount(props.link), client.account()]);
    const other = owner !== null && (owner.userId !== target.userId || owner.serverUrl !== target.serverUrl);
    return { target, owner, other };
  });
  const [switching, setSwitching] = createSignal(false);
  const action = createAction();
  const close = () => {
    setPending(undefined);
    props.onDone();
  };
  const signIn = () =>
    void action.run(async () => {
      const { token, refresh } = await linkToken(props.link);
      await client.signIn(token, props.link.serverUrl, refresh);
      await adoptLinkKey();
      close();
    });
  const switchAccount = () =>
    void action.run(async () => {
      const { token, refresh } = await linkToken(props.link);
      // Typing this device kept for the old account goes with its notes (put back if the switch fails).
      const putBack = takeAllTyping();
      await client.switchAccount(token, props.link.serverUrl, refresh).catch((error: unknown) => {
        putBack();
        throw error;
      });
      await adoptLinkKey();
      setPending(undefined);
      location.reload(); // every screen starts over on the new, empty database
    });
  /** A QR link's account key, checked against the account and kept; a typed code asks for the phrase. */
  const adoptLinkKey = async () => {
    const link = props.link;
    if (link.kind === "code" && link.key) await client.accountKey({ action: "adopt", secret: fromBase64Url(link.key) });
  };
  const exportFirst = () =>
    void action.run(async () => download(await exportJson(client), `cobrain-backup-${new Date().toISOString().slice(0, 10)}.json`));

  const Account = (p: { userId: string; serverUrl: string }) => <>{rich(t("linkPrompt.account"), { user: <strong>{p.userId}</strong>, server: <strong>{p.serverUrl}</strong> })}</>;

  return (
    <section class="panel link-prompt" role="dialog" aria-modal="true" aria-labelledby="link-prompt-title">
      <Switch>
        <Match when={facts.error}>
          <h2 id="link-prompt-title">{t("linkPrompt.signIn")}</h2>
          <ErrorText message={t("linkPrompt.cannotUse", { error: facts.error instanceof Error ? facts.error.message : String(facts.error) })} />
          <button type="button" onClick={close}>
            {t("common.close")}
          </button>
        </Match>
        <Match when={!facts()}>
          <h2 id="link-prompt-title">{t("linkPrompt.signIn")}</h2>
          <p class="muted">{t("linkPrompt.checking")}</p>
        </Match>
        <Match when={facts()?.other && !switching()}>
          <h2 id="link-prompt-title">{t("linkPrompt.otherAccount")}</h2>
          <p>
            {rich(t("linkPrompt.belongs"), { owner: <Account {...facts()!.owner!} />, target: <Account {...facts()!.target} /> })}
          </p>
          <p class="muted">{t("linkPrompt.oneAccount")}</p>
          <div class="inline">
            <button type="button" onClick={close}>
              {t("linkPrompt.keepFor", { user: facts()!.owner!.userId })}
            </button>
            <button type="button" class="ghost" onClick={() => setSwitching(true)}>
              {t("linkPrompt.useFor", { user: facts()!.target.userId })}
            </button>
          </div>
        </Match>
        <Match when={facts()?.other && switching()}>
          <h2 id="link-prompt-title">{t("linkPrompt.switchTitle")}</h2>
          <p>
            {rich(t("linkPrompt.switchExplain"), { target: <Account {...facts()!.target} />, owner: facts()!.owner!.userId })}
          </p>
          <div class="inline">
            <button type="button" disabled={action.pending()} onClick={exportFirst}>
              {t("linkPrompt.exportFirst")}
            </button>
            <button type="button" disabled={action.pending()} onClick={switchAccount}>
              {t("linkPrompt.eraseAndSignIn", { user: facts()!.target.userId })}
            </button>
            <button type="button" class="ghost" disabled={action.pending()} onClick={close}>
              {t("common.cancel")}
            </button>
          </div>
        </Match>
        <Match when={facts()}>
          <h2 id="link-prompt-title">{t("linkPrompt.signIn")}</h2>
          <p>
            {rich(t("linkPrompt.signsIn"), { target: <Account {...facts()!.target} /> })}
          </p>
          <Show when={!facts()!.owner}>
            <p class="muted">{t("linkPrompt.willSync")}</p>
          </Show>
          <div class="inline">
            <button type="button" disabled={action.pending()} onClick={signIn}>
              {t("linkPrompt.signInAs", { user: facts()!.target.userId })}
            </button>
            <button type="button" class="ghost" disabled={action.pending()} onClick={close}>
              {t("common.cancel")}
            </button>
          </div>
        </Match>
      </Switch>
      <ErrorText message={action.error()} />
    </section>
  );
}
