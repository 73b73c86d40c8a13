/**
 * Reading a corpus given as an array, iterable or async iterable of strings, with one loop for
 * both: it awaits only for an async source or when the consumer asks to, so an array of many
 * short texts costs no microtask per text. Elements are type-checked with errors that name them.
 */
import { TokenizerError } from '../tokenizerError.js';
import { describeValue } from './describeValue.js';

function notTexts(fn: string, argument: string, value: unknown): TokenizerError {
  const fix =
    typeof value === 'string'
      ? 'pass an iterable of strings: wrap a single text in an array ([text]).'
      : 'pass an array, iterable or async iterable of strings (documents, lines or chunks).';
  return new TokenizerError({
    code: 'INVALID_ARGUMENT',
    fn,
    argument,
    detail: `expected ${argument === 'texts' ? 'an iterable of strings' : 'a string'}, received ${describeValue(value)}; ${fix}`,
  });
}

/** Throws unless `texts` is a (sync or async) iterable other than a string. */
export function checkTexts(fn: string, texts: unknown): 'sync' | 'async' {
  if (texts !== null && typeof texts === 'object') {
    if (typeof (texts as Iterable<unknown>)[Symbol.iterator] === 'function') return 'sync';
    if (typeof (texts as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
      return 'async';
    }
  }
  throw notTexts(fn, 'texts', texts);
}

/**
 * Calls `consume` on each text in order; `consume` returns a promise only when it must wait.
 * On an error the source is closed (its `return()` is called) and the error rethrown.
 */
export async function readTexts(
  fn: string,
  texts: Iterable<string> | AsyncIterable<string>,
  consume: (text: string) => Promise<void> | undefined,
): Promise<void> {
  const mode = checkTexts(fn, texts);
  const iterator =
    mode === 'sync'
      ? (texts as Iterable<unknown>)[Symbol.iterator]()
      : (texts as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  let index = 0;
  try {
    for (;;) {
      const next = iterator.next();
      const result = mode === 'sync' ? (next as IteratorResult<unknown>) : await next;
      if (result.done) return;
      const text = result.value;
      if (typeof text !== 'string') throw notTexts(fn, `texts[${index}]`, text);
      index++;
      const pending = consume(text);
      if (pending !== undefined) await pending;
    }
  } catch (error) {
    // As `for…of` does: close the source, and let the first error win.
    await (async () => iterator.return?.())().catch(() => undefined);
    throw error;
  }
}
