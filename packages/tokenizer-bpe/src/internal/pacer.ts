/**
 * Cooperative time slicing for long work on one thread: the work checks `due` in its inner loop
 * and, when a slice is used up, awaits `pause()`, which gives the event loop a turn (so timers,
 * I/O and an `AbortController.abort()` can run) and then throws the signal's reason if it was
 * aborted. Uses only `performance.now` and `setTimeout`, available in Node and browsers.
 */

/** Slice length: long enough that yielding costs ~1 %, short enough to stay responsive. */
const SLICE_MS = 100;

export class Pacer {
  readonly #signal: AbortSignal | undefined;
  #deadline: number;

  constructor(signal: AbortSignal | undefined) {
    this.#signal = signal;
    signal?.throwIfAborted();
    this.#deadline = performance.now() + SLICE_MS;
  }

  /** Whether the current slice is used up. */
  get due(): boolean {
    return performance.now() >= this.#deadline;
  }

  /** Yields to the event loop, throws if aborted, and starts a new slice. */
  async pause(): Promise<void> {
    this.#signal?.throwIfAborted();
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    this.#signal?.throwIfAborted();
    this.#deadline = performance.now() + SLICE_MS;
  }
}
