import { createEffect, createSignal, Show } from "solid-js";
import { renderMarkdown } from "./render";
import { toggleTask, type TaskBox } from "./tasks";
import "./markdown.css";
import { t } from "../i18n/i18n";

/**
 * A note's body, read: rendered Markdown. Ticking a task box hands the edited text back
 * (`onText`); links inside the app go through `onOpenPath` so the app's history stays right.
 * Loaded on demand (NoteEditor imports it lazily), so the parser is not in the first paint.
 */
export default function MarkdownView(props: { text: string; onText: (next: string) => void; onOpenPath: (path: string) => void }) {
  let container!: HTMLElement;
  let tasks: TaskBox[] = [];
  const [error, setError] = createSignal<string>();

  createEffect(() => {
    const rendered = renderMarkdown(props.text);
    tasks = rendered.tasks;
    container.replaceChildren(rendered.fragment);
  });

  const onClick = (e: MouseEvent) => {
    const target = e.target as HTMLElement;
    if (target instanceof HTMLInputElement && target.dataset.task !== undefined) {
      e.preventDefault(); // the box shows its new state when the text does
      const box = tasks[Number(target.dataset.task)];
      if (!box) return;
      try {
        props.onText(toggleTask(props.text, box));
        setError(undefined);
      } catch (err) {
        setError((err as Error).message);
      }
      return;
    }
    const link = target.closest("a");
    const href = link?.getAttribute("href");
    // A plain click on a link inside the app navigates in place; with a modifier it opens a tab.
    if (link && href?.startsWith("/") && !e.ctrlKey && !e.metaKey && !e.shiftKey && e.button === 0) {
      e.preventDefault();
      props.onOpenPath(href);
    }
  };

  return (
    <>
      <article class="markdown" ref={container} onClick={onClick} aria-label={t("editor.rendered")} />
      <Show when={props.text.trim() === ""}>
        <p class="muted">{t("editor.empty")}</p>
      </Show>
      <Show when={error()}>
        <p class="error" role="alert">
          {error()}
        </p>
      </Show>
    </>
  );
}
