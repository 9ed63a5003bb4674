import { Show, type Accessor } from "solid-js";
import type { DbStatus } from "../db/protocol";

/** Says plainly when notes will not be kept, or why the database could not open. */
export function StorageBanner(props: { status: Accessor<DbStatus> }) {
  return (
    <>
      <Show when={props.status().error}>
        <div class="banner banner-error" role="alert">
          <strong>The notes database could not open.</strong> {props.status().error}
        </div>
      </Show>
      <Show when={props.status().storage === "memory"}>
        <div class="banner banner-warning" role="alert">
          <strong>Not saved:</strong> this window cannot store data, so notes written here are lost when it closes.
          {props.status().fallbackReason ? ` (${props.status().fallbackReason}.)` : ""}
        </div>
      </Show>
      <Show when={props.status().storage === "idb"}>
        <div class="banner banner-info" role="status">
          Saved in IndexedDB (slower): {props.status().fallbackReason ?? "chosen for this window"}.
        </div>
      </Show>
    </>
  );
}
