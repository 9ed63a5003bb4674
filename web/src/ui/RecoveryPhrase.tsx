/**
 * The recovery phrase on screen: once after this device made (or rotated to) a key, until the
 * person says it is written down; and in Settings on request, behind a confirmation.
 */
import { createResource, createSignal, For, Show, type Accessor } from "solid-js";
import type { SyncStatus } from "../../../shared/syncStatus";
import { secretToPhrase } from "../crypto/recoveryPhrase";
import { createAction } from "./action";
import { useDb } from "./dbContext";
import { ErrorText } from "./ErrorText";

function Words(props: { phrase: string }) {
  return (
    <ol class="phrase" aria-label="Recovery phrase" data-phrase={props.phrase}>
      <For each={props.phrase.split(" ")}>{(word) => <li>{word}</li>}</For>
    </ol>
  );
}

const LOSS_WARNING =
  "Write these words down and keep them somewhere safe. They are the only way to open your notes on a new device when none of your devices is left: the server cannot read your notes and cannot recover them. If you lose this phrase and every device, your notes are lost for good.";

/** After the key was made or rotated on this device: the new phrase, until it is written down. */
export function RecoveryPhraseNotice(props: { sync: Accessor<SyncStatus> }) {
  const { client } = useDb();
  // Re-asked whenever the sync state changes: the key is made or rotated around a connection.
  const [shown, { refetch }] = createResource(
    () => props.sync().state,
    async () => {
      const status = await client.accountKey({ action: "status" });
      if (!status || status.phraseNoted) return undefined;
      const secret = await client.accountKey({ action: "secret" });
      return secret ? { generation: secret.generation, phrase: secretToPhrase(secret.secret) } : undefined;
    },
  );
  const action = createAction();
  const noted = (generation: number) =>
    void action.run(async () => {
      await client.accountKey({ action: "noted", generation });
      await refetch();
    });
  return (
    <Show when={shown()} keyed>
      {(s) => (
        <section class="panel recovery-notice" role="dialog" aria-labelledby="recovery-notice-title">
          <h2 id="recovery-notice-title">{s.generation === 0 ? "Your recovery phrase" : "Your new recovery phrase"}</h2>
          <Show when={s.generation > 0}>
            <p>The account key changed because a device was revoked. Your old recovery phrase no longer works: write down this new one.</p>
          </Show>
          <p>{LOSS_WARNING}</p>
          <Words phrase={s.phrase} />
          <button type="button" disabled={action.pending()} onClick={() => noted(s.generation)}>
            I have written it down
          </button>
          <ErrorText message={action.error()} />
        </section>
      )}
    </Show>
  );
}

/** In Settings: the current phrase, after a confirmation (someone may be looking at the screen). */
export function RecoveryPhrasePanel() {
  const { client } = useDb();
  const [phrase, setPhrase] = createSignal<string>();
  const action = createAction();
  const show = () =>
    void action.run(async () => {
      if (!confirm("Show your recovery phrase? Anyone who sees it can read your notes. Make sure nobody is watching your screen.")) return;
      const secret = await client.accountKey({ action: "secret" });
      if (!secret) throw new Error("this device does not hold the account key yet");
      setPhrase(secretToPhrase(secret.secret));
    });
  return (
    <div class="stack">
      <h3>Recovery phrase</h3>
      <Show
        when={phrase()}
        fallback={
          <button type="button" disabled={action.pending()} onClick={show}>
            Show recovery phrase
          </button>
        }
      >
        <p class="muted">{LOSS_WARNING}</p>
        <Words phrase={phrase()!} />
        <button type="button" class="ghost" onClick={() => setPhrase(undefined)}>
          Hide recovery phrase
        </button>
      </Show>
      <ErrorText message={action.error()} />
    </div>
  );
}
