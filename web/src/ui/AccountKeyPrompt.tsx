/**
 * Shown while this device is signed in but lacks the account key (a typed link code, or a key
 * made old by a rotation it could not follow): asks for the recovery phrase. The phrase is
 * checked against the account's key id before anything is kept, so a wrong one changes nothing
 * and the device goes on not syncing.
 */
import { createSignal, Show, type Accessor } from "solid-js";
import { CloseCode } from "../../../shared/syncProtocol";
import type { SyncStatus } from "../../../shared/syncStatus";
import { phraseToSecret, RECOVERY_PHRASE_WORDS } from "../crypto/recoveryPhrase";
import { createAction } from "./action";
import { useDb } from "./dbContext";
import { ErrorText } from "./ErrorText";

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
      const secret = phraseToSecret(phrase()); // a typo is named here, before the server is asked
      await client.accountKey({ action: "adopt", secret });
      setPhrase("");
    });
  };
  return (
    <Show when={needsAccountKey(props.sync())}>
      <section class="panel account-key-prompt" aria-labelledby="account-key-title">
        <h2 id="account-key-title">Enter your recovery phrase</h2>
        <p>
          Your notes are end-to-end encrypted: the server cannot read them and cannot give this device their key. Enter the{" "}
          {RECOVERY_PHRASE_WORDS}-word recovery phrase you wrote down, or scan the QR code shown on one of your devices (Sync → Link another
          device). Until then this device does not sync.
        </p>
        <form class="stack" onSubmit={submit}>
          <label>
            Recovery phrase
            <textarea value={phrase()} onInput={(e) => setPhrase(e.currentTarget.value)} rows={4} autocomplete="off" spellcheck={false} autocapitalize="none" />
          </label>
          <button type="submit" disabled={action.pending() || phrase().trim() === ""}>
            Use this phrase
          </button>
        </form>
        <ErrorText message={action.error()} prefix="That phrase did not work: " />
      </section>
    </Show>
  );
}
