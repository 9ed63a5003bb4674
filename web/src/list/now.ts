/** One clock for every relative time on screen, so rows change words together and cheaply. */
import { createSignal, getOwner, onCleanup, type Accessor } from "solid-js";

/** Relative times are in minutes at their finest ("3 minutes ago"): a tick per half minute keeps them true. */
const TICK_MS = 30_000;

/** The current time, updated every `TICK_MS` while the calling component lives. */
export function createNow(): Accessor<number> {
  const [now, setNow] = createSignal(Date.now());
  const timer = setInterval(() => setNow(Date.now()), TICK_MS);
  if (getOwner()) onCleanup(() => clearInterval(timer));
  return now;
}
