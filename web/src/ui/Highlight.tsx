import { For } from "solid-js";
import { splitHighlights } from "../search/searchQuery";

/** Renders FTS5 highlight output with <mark>, as text only (note text is never HTML). */
export function Highlight(props: { value: string }) {
  return <For each={splitHighlights(props.value)}>{(part) => (part.marked ? <mark>{part.text}</mark> : <>{part.text}</>)}</For>;
}
