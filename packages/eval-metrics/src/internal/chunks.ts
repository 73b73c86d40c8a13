/**
 * Visiting a long sequence in chunks with a turn of the event loop between them, a progress
 * callback and cancellation: the building block of every `…Async` entry point here.
 */
import { describeValue } from '@llmkit/numeric';
import type { ChunkedOptions } from '../chunkedOptions.js';
import { check, invalid, throwIfAborted } from './check.js';
import { yieldToEventLoop } from './yieldToEventLoop.js';

/** Validated chunk settings. */
export interface Chunking {
  readonly chunkSize: number;
  readonly signal: AbortSignal | undefined;
  readonly onProgress: ((done: number) => void) | undefined;
}

/** Checks {@link ChunkedOptions} for `fn`. */
export function chunking(fn: string, options: ChunkedOptions, defaultSize = 10_000): Chunking {
  const onProgress = options.onProgress;
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    invalid(
      fn,
      'options.onProgress',
      `expected a function, received ${describeValue(onProgress)}.`,
    );
  }
  return {
    chunkSize: check.integer(fn, 'options.chunkSize', options.chunkSize ?? defaultSize, { min: 1 }),
    signal: options.signal,
    onProgress,
  };
}

/**
 * Calls `visit(item, index)` for every item of an array, iterable or async iterable, yielding to
 * the event loop after every `chunkSize` items. Returns the number of items visited.
 */
export async function visitInChunks<T>(
  fn: string,
  argument: string,
  items: Iterable<T> | AsyncIterable<T>,
  visit: (item: T, index: number) => void,
  { chunkSize, signal, onProgress }: Chunking,
): Promise<number> {
  let done = 0;
  let reported = -1;
  const endOfChunk = async (): Promise<void> => {
    reported = done;
    onProgress?.(done);
    await yieldToEventLoop();
    throwIfAborted(fn, signal, `after ${done} items`);
  };
  throwIfAborted(fn, signal, 'before the first item');
  if (Array.isArray(items)) {
    const list = items as readonly T[];
    while (done < list.length) {
      const end = Math.min(done + chunkSize, list.length);
      for (; done < end; done++) visit(list[done] as T, done);
      if (done < list.length) await endOfChunk();
    }
  } else if (items !== null && typeof items === 'object' && Symbol.asyncIterator in items) {
    for await (const item of items as AsyncIterable<T>) {
      visit(item, done++);
      if (done % chunkSize === 0) await endOfChunk();
    }
  } else if (items !== null && typeof items === 'object' && Symbol.iterator in items) {
    for (const item of items as Iterable<T>) {
      visit(item, done++);
      if (done % chunkSize === 0) await endOfChunk();
    }
  } else {
    invalid(
      fn,
      argument,
      `expected an array, an iterable or an async iterable, received ${describeValue(items)}.`,
    );
  }
  if (reported !== done) onProgress?.(done);
  return done;
}

/**
 * Runs `body(begin, end)` over [0, n) in ranges of `chunkSize`, yielding to the event loop (and
 * checking `signal`) between ranges.
 */
export async function forEachRange(
  fn: string,
  n: number,
  chunkSize: number,
  signal: AbortSignal | undefined,
  body: (begin: number, end: number) => void,
): Promise<void> {
  for (let begin = 0; begin < n; begin += chunkSize) {
    const end = Math.min(n, begin + chunkSize);
    body(begin, end);
    if (end < n) {
      await yieldToEventLoop();
      throwIfAborted(fn, signal, `after ${end} of ${n} battles`);
    }
  }
}
