/**
 * The recovery phrase on screen: once after this device made (or rotated to) a key, until the
 * person says it is written down; and in Settings on request, behind a confirmation.
 */
import { createResource, createSignal, For, Show, type Accessor } from "solid-js";
import type { SyncStatus } from "../../../shared/syncStatus";
import { createAction } from "./action";
import { useDb } from "./dbContext";
import { ErrorText } from "./ErrorText";
import { t } from "../i18n/i18n";

function Words(props: { phrase: string }) {
  return (
    <ol class="phrase" aria-label={t("common.recoveryPhrase")} data-phrase={props.phrase}>
      <For each={props.phrase.split(" ")}>{(word) => <li>{word}</li>}</For>
    </ol>
  );
}

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
      if (!secret) return undefined;
      const { secretToPhrase } = await import("../crypto/recoveryPhrase"); // the word list: not at first paint
      return { generation: secret.generation, phrase: secretToPhrase(secret.secret) };
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
          <h2 id="recovery-notice-title">{s.generation === 0 ? t("recovery.yours") : t("recovery.new")}</h2>
          <Show when={s.generation > 0}>
            <p>{t("recovery.changed")}</p>
          </Show>
          <p>{t("recovery.lossWarning")}</p>
          <Words phrase={s.phrase} />
          <button type="button" disabled={action.pending()} onClick={() => noted(s.generation)}>
            {t("recovery.noted")}
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
      if (!confirm(t("recovery.showConfirm"))) return;
      const secret = await client.accountKey({ action: "secret" });
      if (!secret) throw new Error(t("recovery.noKey"));
      const { secretToPhrase } = await import("../crypto/recoveryPhrase");
      setPhrase(secretToPhrase(secret.secret));
    });
  return (
    <div class="stack">
      <h3>{t("common.recoveryPhrase")}</h3>
      <Show
        when={phrase()}
        fallback={
          <button type="button" disabled={action.pending()} onClick={show}>
            {t("recovery.show")}
          </button>
        }
      >
        <p class="muted">{t("recovery.lossWarning")}</p>
        <Words phrase={phrase()!} />
        <button type="button" class="ghost" onClick={() => setPhrase(undefined)}>
          {t("recovery.hide")}
        </button>
      </Show>
      <ErrorText message={action.error()} />
    </div>
  );
}
