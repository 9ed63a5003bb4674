import { createResource, Show, type Accessor } from "solid-js";
import type { DbStatus } from "../db/protocol";
import { lastAnswer, persistState, requestPersistence } from "../storage/persistence";
import { createAction } from "./action";
import { ErrorText } from "./ErrorText";
import { formatNumber, t } from "../i18n/i18n";
import { rich } from "../i18n/rich";

const mb = (bytes = 0) => t("common.megabytes", { count: formatNumber(bytes / 1024 / 1024, { minimumFractionDigits: 1, maximumFractionDigits: 1 }) });

/** Where notes are stored, how much, and whether the browser promised to keep them, in plain words. */
export function StorageSettings(props: { storage: Accessor<DbStatus> }) {
  const [info, { refetch }] = createResource(async () => ({ usage: await navigator.storage?.estimate?.(), state: await persistState(), answer: lastAnswer() }));
  const asking = createAction();
  const ask = () =>
    asking.run(async () => {
      await requestPersistence("settings");
      await refetch();
    });
  return (
    <section class="panel" aria-labelledby="storage-title">
      <h2 id="storage-title">{t("storage.title")}</h2>
      <p>
        {t("storage.storedIn", { where: props.storage().storage ? t(`storage.where.${props.storage().storage!}`) : "…" })}
        <Show when={info()?.usage}>
          {" "}
          {t("storage.usage", { used: mb(info()!.usage!.usage), quota: mb(info()!.usage!.quota) })}
        </Show>
      </p>
      <div class="persistence" data-persist-state={info()?.state} role="status">
        <Show when={info()?.state === "persisted"}>
          <p>
            <strong>{t("storage.keptLead")}</strong> {t("storage.kept")}
          </p>
        </Show>
        <Show when={info()?.state === "refused"}>
          <p>
            <strong>{t("storage.refusedLead")}</strong> {t("storage.refused", { when: t(`storage.when.${info()!.answer!.reason}`) })}
          </p>
          <p>
            {rich(t("storage.install"), {
              install: <strong>{t("storage.installLead")}</strong>,
              installApp: <em>{t("storage.installApp")}</em>,
              addToHome: <em>{t("storage.addToHome")}</em>,
            })}
          </p>
        </Show>
        <Show when={info()?.state === "not-asked"}>
          <p>{t("storage.notAsked")}</p>
        </Show>
        <Show when={info()?.state === "unsupported"}>
          <p>{t("storage.unsupported")}</p>
        </Show>
      </div>
      <Show when={info() && info()!.state !== "persisted" && info()!.state !== "unsupported"}>
        <button type="button" disabled={asking.pending()} onClick={() => void ask()}>
          {t("storage.ask")}
        </button>
      </Show>
      <ErrorText message={asking.error()} />
    </section>
  );
}
