import { createEffect, createSignal, onCleanup, Show, type Accessor } from "solid-js";
import { createLiveRead } from "../db/live";
import type { DbStatus } from "../db/protocol";
import { lastAnswer, requestPersistenceAfterInstall, requestPersistenceOnce } from "../storage/persistence";
import { useDb } from "./dbContext";
import { t } from "../i18n/i18n";

/**
 * Asks for persistent storage at the first meaningful moment: the first note saved, or the app
 * installed (where browsers grant it most). Watches only until it has asked.
 */
function AskPersistenceOnFirstNote(props: { onAsked: () => void }) {
  const anyNote = createLiveRead(useDb().client, "hasNotes", () => null);
  createEffect(() => {
    if (anyNote.data()) void requestPersistenceOnce("first-note").finally(props.onAsked);
  });
  return null;
}

/** Says plainly when notes will not be kept, or why the database could not open; asks for persistent storage. */
export function StorageBanner(props: { status: Accessor<DbStatus> }) {
  const [asked, setAsked] = createSignal(lastAnswer() !== undefined);
  const onInstalled = () => void requestPersistenceAfterInstall().finally(() => setAsked(true));
  window.addEventListener("appinstalled", onInstalled);
  onCleanup(() => window.removeEventListener("appinstalled", onInstalled));
  return (
    <>
      <Show when={!asked() && props.status().storage && props.status().storage !== "memory"}>
        <AskPersistenceOnFirstNote onAsked={() => setAsked(true)} />
      </Show>
      <Show when={props.status().error}>
        <div class="banner banner-error" role="alert">
          <strong>{t("storageBanner.couldNotOpen")}</strong> {props.status().error}
        </div>
      </Show>
      <Show when={props.status().storage === "memory"}>
        <div class="banner banner-warning" role="alert">
          <strong>{t("storageBanner.notSaved")}</strong> {t("storageBanner.memory")}
          {props.status().fallbackReason ? t("storageBanner.reason", { reason: props.status().fallbackReason! }) : ""}
        </div>
      </Show>
      <Show when={props.status().storage === "idb"}>
        <div class="banner banner-info" role="status">
          {t("storageBanner.idb", { reason: props.status().fallbackReason ?? t("storageBanner.idbChosen") })}
        </div>
      </Show>
    </>
  );
}
