/**
 * Shown while this device is signed in but lacks the account key (a typed link code, or a key
 * made old by a rotation it could not follow): asks for the recovery phrase. The phrase is
 * checked against the account's key id before anything is kept, so a wrong one changes nothing
 * and the device goes on not syncing.
 */
import { createSignal, Show, type Accessor } from "solid-js";
import { CloseCode } from "../../../shared/syncProtocol";
import type { SyncStatus } from "../../../shared/syncStatus";
import { createAction } from "./action";
import { useDb } from "./dbContext";
import { ErrorText } from "./ErrorText";
import { RECOVERY_PHRASE_WORDS } from "../crypto/phraseLength";
import { t } from "../i18n/i18n";

export function needsAccountKey(status: SyncStatus): boolean {
  return status.code === CloseCode.NeedsAccountKey || status.code === CloseCode.WrongAccountKey;
}

export function AccountKeyPrompt(props: { sync: Accessor<SyncStatus> }) {
  const { client } = useDb();
  const [phrase, setPhrase] = createSignal("");
  const action = createAction();
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    void action.run(async () => {
      // The word list loads with the prompt's first use, not with the first paint.
      const { phraseToSecret } = await import("../crypto/recoveryPhrase");
      const secret = phraseToSecret(phrase()); // a typo is named here, before the server is asked
      await client.accountKey({ action: "adopt", secret });
      setPhrase("");
    });
  };
  return (
    <Show when={needsAccountKey(props.sync())}>
      <section class="panel account-key-prompt" aria-labelledby="account-key-title">
        <h2 id="account-key-title">{t("accountKey.title")}</h2>
        <p>
          {t("accountKey.explain", { words: RECOVERY_PHRASE_WORDS })}
        </p>
        <form class="stack" onSubmit={submit}>
          <label>
            {t("common.recoveryPhrase")}
            <textarea value={phrase()} onInput={(e) => setPhrase(e.currentTarget.value)} rows={4} autocomplete="off" spellcheck={false} autocapitalize="none" />
          </label>
          <button type="submit" disabled={action.pending() || phrase().trim() === ""}>
            {t("accountKey.use")}
          </button>
        </form>
        <ErrorText message={action.error()} prefix={t("accountKey.failed")} />
      </section>
    </Show>
  );
}
