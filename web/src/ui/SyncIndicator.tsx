import { createSignal, onCleanup, type Accessor } from "solid-js";
import type { SyncStatus } from "../../../shared/syncStatus";

/** "synced 12 s ago" and friends, from the status the sync client publishes. */
export function describeSync(status: SyncStatus, now: number): string {
  const ago = status.lastSyncedAt ? formatAgo(now - status.lastSyncedAt) : undefined;
  const waiting = status.waiting ? " · changes waiting" : "";
  switch (status.state) {
    case "signed-out":
      return "Not syncing (signed out)";
    case "connecting":
      return `Connecting…${waiting}`;
    case "syncing":
      return status.progress
        ? `Receiving ${status.progress.received.toLocaleString("en")} of ${status.progress.total.toLocaleString("en")} changes (${Math.floor((100 * status.progress.received) / status.progress.total)}%)${waiting}`
        : `Syncing…${waiting}`;
    case "synced":
      return `Synced ${ago ?? "just now"}`;
    case "held":
      return `Synced, except ${heldSummary(status)}`;
    case "offline":
      return `Offline${waiting}${ago ? ` · last synced ${ago}` : ""}`;
    case "refused":
      return `${withServerWords(status)} · ${status.action}${waiting}`;
    case "error":
      return status.problem ? `${withServerWords(status)} · ${status.action}${waiting}` : `Sync error: ${status.reason ?? "unknown"}${waiting}`;
  }
}

/** The problem in the app's words, then the server's own (e.g. "this device was revoked") when it said more. */
function withServerWords(status: SyncStatus): string {
  const words = status.reason?.trim();
  return words && words !== status.problem ? `${status.problem}: ${words}` : `${status.problem}`;
}

/** Which record is stuck, in words: "the note “Big” is too large to sync". */
export function heldSummary(status: SyncStatus): string {
  const held = status.held ?? [];
  const first = held[0];
  if (!first) return "nothing held";
  const what = first.table === "notes" ? `the note “${first.title || "Untitled"}”` : `a ${first.table.replace(/_/g, " ").replace(/s$/, "")} record (${first.column})`;
  const more = held.length > 1 ? ` and ${held.length - 1} more` : "";
  return `${what}${more}: too large to sync (${Math.ceil(first.bytes / 1024)} KB). ${status.action ?? ""}`.trim();
}

function formatAgo(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 5) return "just now";
  if (s < 60) return `${s} s ago`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  return h < 48 ? `${h} h ago` : `${Math.round(h / 24)} days ago`;
}

/** The sync indicator in the top bar; it re-renders its "ago" every few seconds. */
export function SyncIndicator(props: { status: Accessor<SyncStatus>; onClick: () => void }) {
  const [now, setNow] = createSignal(Date.now());
  const timer = setInterval(() => setNow(Date.now()), 5_000);
  onCleanup(() => clearInterval(timer));
  return (
    <button
      type="button"
      class={`sync-indicator sync-${props.status().state}`}
      data-sync-state={props.status().state}
      aria-live="polite"
      title="Sync settings"
      onClick={props.onClick}
    >
      <span class="sync-dot" aria-hidden="true" />
      {describeSync(props.status(), now())}
      {props.status().progress && (
        <progress class="sync-progress" max={props.status().progress!.total} value={props.status().progress!.received} aria-label="Changes received" />
      )}
    </button>
  );
}
