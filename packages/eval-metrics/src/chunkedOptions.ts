/** How the long-running `…Async` entry points split their work (see the README's event-loop table). */

/** Options shared by the chunked, yielding entry points. @public */
export interface ChunkedOptions {
  /**
   * Items handled between two turns of the event loop. The default keeps each synchronous
   * stretch to a few milliseconds for the work done per battle here. @defaultValue 10000
   */
  readonly chunkSize?: number;
  /** Cancels between chunks with an `ABORTED` error. */
  readonly signal?: AbortSignal;
  /** Called after every chunk with the number of items handled so far. */
  readonly onProgress?: (done: number) => void;
}
