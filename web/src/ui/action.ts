/**
 * The one way the UI runs something that can fail: a component creates an action, runs its
 * clicks and submits through it, and shows `error()` with `ErrorText` and `pending()` as a
 * disabled button. Nothing a user starts ever ends as an unhandled rejection.
 */
import { createSignal, type Accessor } from "solid-js";
import { errorMessage } from "../../../shared/errorMessage";

export interface Action {
  /**
   * Runs `task`. Starting clears the last error (a retry does not show a stale one); failure sets
   * it to the failure's message. Never
   * rejects: resolves true when the task succeeded, so a caller can follow up on either outcome.
   */
  run(task: () => Promise<unknown>): Promise<boolean>;
  /** True while any task started here is still running. */
  pending: Accessor<boolean>;
  /** The message of the last failure, until another task starts. */
  error: Accessor<string | undefined>;
}

export function createAction(): Action {
  const [running, setRunning] = createSignal(0);
  const [error, setError] = createSignal<string>();
  return {
    async run(task) {
      setRunning((n) => n + 1);
      setError(undefined);
      try {
        await task();
        return true;
      } catch (e) {
        setError(errorMessage(e));
        return false;
      } finally {
        setRunning((n) => n - 1);
      }
    },
    pending: () => running() > 0,
    error,
  };
}
