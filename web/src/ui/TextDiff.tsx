import { createMemo, For, Show } from "solid-js";
import { hasChanges, textDiff } from "../notes/revisionDiff";
import { t } from "../i18n/i18n";

/**
 * What changed from `before` to `after`, inline: removed words in <del>, added ones in <ins>, each
 * prefixed for screen readers (most do not announce ins/del by themselves).
 */
export function TextDiff(props: { before: string; after: string; same: string }) {
  const segments = createMemo(() => textDiff(props.before, props.after));
  return (
    <Show when={hasChanges(segments())} fallback={<p class="muted">{props.same}</p>}>
      <p class="history-diff" aria-label={t("diff.label")}>
        <For each={segments()}>
          {(s) =>
            s.kind === "added" ? (
              <ins>
                <span class="visually-hidden">{t("common.added")}</span>
                {s.text}
              </ins>
            ) : s.kind === "removed" ? (
              <del>
                <span class="visually-hidden">{t("common.removed")}</span>
                {s.text}
              </del>
            ) : (
              s.text
            )
          }
        </For>
      </p>
    </Show>
  );
}
