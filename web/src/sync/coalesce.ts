/**
 * Leading-edge coalescing of local-change notifications: the first change of a burst is pushed at
 * once (an edit reaches the other devices without waiting for a window), and only the changes that
 * follow within `windowMs` are pushed together, once, at the end of the window. A burst that goes on
 * is pushed at most once per window.
 */
export class Coalescer {
  readonly #run: () => void;
  readonly #windowMs: number;
  #window: ReturnType<typeof setTimeout> | undefined;
  #pending = false;

  constructor(run: () => void, windowMs: number) {
    this.#run = run;
    this.#windowMs = windowMs;
  }

  /** A change happened: run now if no window is open, else once when it closes. */
  notify(): void {
    if (this.#window !== undefined) {
      this.#pending = true;
      return;
    }
    this.#fire();
  }

  /** Runs now (e.g. the page is being hidden), whatever the window; the window starts again. */
  flush(): void {
    clearTimeout(this.#window);
    this.#window = undefined;
    this.#fire();
  }

  /** Forgets what is pending and closes the window (sync stopped). */
  cancel(): void {
    clearTimeout(this.#window);
    this.#window = undefined;
    this.#pending = false;
  }

  #fire(): void {
    this.#pending = false;
    this.#window = setTimeout(() => {
      this.#window = undefined;
      if (this.#pending) this.#fire();
    }, this.#windowMs);
    this.#run();
  }
}
