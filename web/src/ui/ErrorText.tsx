import { Show } from "solid-js";

/** An error said out loud (role="alert"), or nothing. */
export function ErrorText(props: { message: string | undefined; prefix?: string }) {
  return (
    <Show when={props.message}>
      <p class="error" role="alert">
        {props.prefix ?? ""}
        {props.message}
      </p>
    </Show>
  );
}
