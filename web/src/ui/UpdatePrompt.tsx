import { Show } from "solid-js";
import { useRegisterSW } from "virtual:pwa-register/solid";

/** Says when a new version of the app is ready, and reloads into it only when asked. */
export function UpdatePrompt() {
  const {
    needRefresh: [needRefresh, setNeedRefresh],
    updateServiceWorker,
  } = useRegisterSW();
  return (
    <Show when={needRefresh()}>
      <div class="banner banner-info update-prompt" role="status">
        A new version of CoBrain is ready.{" "}
        <button type="button" onClick={() => void updateServiceWorker(true)}>
          Reload
        </button>{" "}
        <button type="button" class="ghost" onClick={() => setNeedRefresh(false)}>
          Later
        </button>
      </div>
    </Show>
  );
}
