/**
 * The link waiting for the person's answer (LinkPrompt asks). Apart from the prompt, so the start
 * screen can take a link without loading the prompt's code (and the backup export it offers).
 */
import { createSignal } from "solid-js";
import type { SignInLink } from "../api/linkClaim";

const [pending, setPending] = createSignal<SignInLink>();

/** The link being asked about, if any. */
export const pendingLink = pending;

/** Shows the question for `link` (opened from the address bar or typed in settings); `undefined` closes it. */
export function askAboutLink(link: SignInLink | undefined): void {
  setPending(link);
}
