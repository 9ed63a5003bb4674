/**
 * Keeps an element's bottom at the bottom of the screen: its height is the screen's height below
 * where it starts. What sits above the note list (header, sections, banners, the new-note form)
 * differs by screen size and changes at run time, so a fixed `calc(100dvh - N)` was wrong on phones
 * (75 px too tall at 390×844: the whole page scrolled as well as the list). No CSS layout gives
 * "the rest of the screen" here without making every pane its own scroller, so it is measured.
 */
export function fillToScreen(element: HTMLElement, minPx: number): () => void {
  let frame = 0;
  const fit = () => {
    frame = 0;
    const top = element.getBoundingClientRect().top + window.scrollY;
    const height = `${Math.max(minPx, Math.floor(window.innerHeight - top - spaceBelow(element)))}px`;
    if (element.style.height !== height) element.style.height = height;
  };
  const schedule = () => {
    if (!frame) frame = requestAnimationFrame(fit);
  };
  // Content above it growing or shrinking resizes the body; the screen itself fires resize.
  const observer = new ResizeObserver(schedule);
  observer.observe(document.body);
  window.addEventListener("resize", schedule);
  fit();
  return () => {
    observer.disconnect();
    window.removeEventListener("resize", schedule);
    cancelAnimationFrame(frame);
  };
}

/** The margins, paddings and borders that close the element and each of its ancestors below it. */
function spaceBelow(element: HTMLElement): number {
  let below = 0;
  for (let e: HTMLElement | null = element; e && e !== document.documentElement; e = e.parentElement) {
    const style = getComputedStyle(e);
    below += parseFloat(style.marginBottom) || 0;
    if (e !== element) below += (parseFloat(style.paddingBottom) || 0) + (parseFloat(style.borderBottomWidth) || 0);
  }
  return below;
}
