import { Show } from "solid-js";
import { useRegisterSW } from "virtual:pwa-register/solid";
import { t } from "../i18n/i18n";

/** Says when a new version of the app is ready, and reloads into it only when asked. */
export function UpdatePrompt() {
  const {
    needRefresh: [needRefresh, setNeedRefresh],
    updateServiceWorker,
  } = useRegisterSW();
  return (
    <Show when={needRefresh()}>
      <div class="banner banner-info update-prompt" role="status">
        {t("update.ready")}{" "}
        <button type="button" onClick={() => void updateServiceWorker(true)}>
          {t("update.reload")}
        </button>{" "}
        <button type="button" class="ghost" onClick={() => setNeedRefresh(false)}>
          {t("update.later")}
        </button>
      </div>
    </Show>
  );
}
