import { createSignal, onCleanup, type Accessor } from "solid-js";
import type { SyncStatus } from "../../../shared/syncStatus";
import { formatNumber, plural, t } from "../i18n/i18n";
import { actionWords, problemWords } from "../i18n/syncWords";

/** "synced 12 s ago" and friends, from the status the sync client publishes, in the chosen language. */
export function describeSync(status: SyncStatus, now: number): string {
  const ago = status.lastSyncedAt ? formatAgo(now - status.lastSyncedAt) : undefined;
  const waiting = status.waiting ? ` · ${t("sync.changesWaiting")}` : "";
  switch (status.state) {
    case "signed-out":
      return t("sync.signedOut");
    case "connecting":
      return `${t("sync.connecting")}${waiting}`;
    case "syncing":
      if (status.copy) {
        const mb = (bytes: number) => formatNumber(bytes / 1024 / 1024, { maximumFractionDigits: 1, minimumFractionDigits: 1 });
        return t("sync.receivingCopy", {
          received: mb(status.copy.received),
          total: mb(status.copy.total),
          percent: formatNumber(status.copy.total > 0 ? Math.floor((100 * status.copy.received) / status.copy.total) / 100 : 0, { style: "percent" }),
        });
      }
      return status.progress
        ? `${t("sync.receiving", {
            received: status.progress.received,
            total: status.progress.total,
            percent: formatNumber(Math.floor((100 * status.progress.received) / status.progress.total) / 100, { style: "percent" }),
          })}${waiting}`
        : `${t("sync.syncing")}${waiting}`;
    case "synced":
      return t("sync.synced", { ago: ago ?? t("sync.justNow") });
    case "held":
      return t("sync.heldExcept", { held: heldSummary(status) });
    case "offline":
      return `${t("sync.offline")}${waiting}${ago ? ` · ${t("sync.lastSynced", { ago })}` : ""}`;
    case "refused":
      return `${withServerWords(status)} · ${actionWords(status)}${waiting}`;
    case "error":
      return status.problem ? `${withServerWords(status)} · ${actionWords(status)}${waiting}` : `${t("sync.error", { reason: status.reason ?? t("sync.unknown") })}${waiting}`;
  }
}

/** The problem in the app's words, then the server's own (e.g. "this device was revoked") when it said more. */
function withServerWords(status: SyncStatus): string {
  const words = status.reason?.trim();
  return words && words !== status.problem ? `${problemWords(status)}: ${words}` : `${problemWords(status)}`;
}

/** Which record is stuck, in words: "the note “Big” is too large to sync". */
export function heldSummary(status: SyncStatus): string {
  const held = status.held ?? [];
  const first = held[0];
  if (!first) return t("sync.nothingHeld");
  const what =
    first.table === "notes"
      ? t("sync.heldNote", { title: first.title || t("common.untitled") })
      : t("sync.heldRecord", { table: first.table.replace(/_/g, " ").replace(/s$/, ""), column: first.column });
  const more = held.length > 1 ? t("sync.heldMore", { count: held.length - 1 }) : "";
  return t("sync.heldSummary", { what, more, size: t("common.kilobytes", { count: Math.ceil(first.bytes / 1024) }), action: actionWords(status) ?? "" }).trim();
}

/** Short units, as the top bar has little room (Intl.RelativeTimeFormat spells them out). */
function formatAgo(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 5) return t("sync.justNow");
  if (s < 60) return t("sync.secondsAgo", { count: s });
  const m = Math.round(s / 60);
  if (m < 60) return t("sync.minutesAgo", { count: m });
  const h = Math.round(m / 60);
  return h < 48 ? t("sync.hoursAgo", { count: h }) : plural("sync.daysAgo", Math.round(h / 24));
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
      title={t("sync.settingsTitle")}
      onClick={props.onClick}
    >
      <span class="sync-dot" aria-hidden="true" />
      {describeSync(props.status(), now())}
      {props.status().progress && (
        <progress class="sync-progress" max={props.status().progress!.total} value={props.status().progress!.received} aria-label={t("sync.notesReceived")} />
      )}
      {props.status().copy && (
        <progress class="sync-progress" max={props.status().copy!.total || 1} value={props.status().copy!.received} aria-label={t("sync.copyReceived")} />
      )}
    </button>
  );
}
