/**
 * The counting pass of BPE training: one streaming read of the corpus that counts each distinct
 * pre-token ("word"). Only the word table is kept, so the corpus may be far larger than memory;
 * training then works on the table alone.
 *
 * Pre-tokens never span two texts: give documents, lines or any chunks that end at a
 * pre-token boundary (a line break, or whole documents). {@link WordCounter} is the shape of a
 * counting pass, so another implementation can be passed to `trainBpe` — the worker-thread pool
 * of `@llmkit/tokenizer-bpe/node` is one.
 */
import { Pacer } from './internal/pacer.js';
import { checkTexts, readTexts } from './internal/readTexts.js';
import { WordTally } from './internal/wordTally.js';
import { type PatternName, PreTokenizer } from './preTokenizer.js';
import type { CountProgress } from './trainProgress.js';

/** Options of {@link countWords} and of any {@link WordCounter}. @public */
export interface CountWordsOptions {
  /**
   * The pre-tokenizer: a {@link PatternName}, a pattern in tiktoken's regex syntax, or one built.
   * @defaultValue `'cl100k'`
   */
  readonly pattern?: PatternName | string | PreTokenizer;
  /** Cancels the pass: the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Called about every 100 ms while reading, and once at the end. */
  readonly onProgress?: (progress: CountProgress) => void;
}

/**
 * A counting pass: every distinct pre-token of `texts` with its count. The counts must not depend
 * on how the work is split, so that training gives the same tokenizer with any counter.
 * @public
 */
export type WordCounter = (
  texts: Iterable<string> | AsyncIterable<string>,
  options: CountWordsOptions,
) => Promise<Map<string, number>>;

/** The pre-tokenizer an option names (cl100k's pattern by default). @internal */
export function preTokenizerOf(
  pattern: PatternName | string | PreTokenizer | undefined,
): PreTokenizer {
  return pattern instanceof PreTokenizer ? pattern : new PreTokenizer(pattern ?? 'cl100k');
}

/**
 * Counts the pre-tokens of a corpus on the calling thread, in one streaming pass, yielding to
 * the event loop about every 100 ms.
 * @param texts - an array, iterable or async iterable of strings (documents, lines, chunks)
 * @returns each distinct pre-token and how often it occurs
 * @throws TokenizerError `INVALID_ARGUMENT` for a non-iterable, a string, or a non-string element
 * @example
 * ```ts
 * await countWords(['the cat', 'the hat']); // Map { 'the' => 2, ' cat' => 1, ' hat' => 1 }
 * ```
 * @public
 */
export async function countWords(
  texts: Iterable<string> | AsyncIterable<string>,
  options: CountWordsOptions = {},
): Promise<Map<string, number>> {
  const fn = 'countWords';
  checkTexts(fn, texts);
  const tally = new WordTally(preTokenizerOf(options.pattern));
  const pacer = new Pacer(options.signal);
  const report = (): void =>
    options.onProgress?.({
      textsRead: tally.textsRead,
      bytesRead: tally.bytesRead,
      wordsCounted: tally.wordsCounted,
      uniqueWords: tally.words.size,
    });
  // The rest of a text that did not fit in the current time slice.
  const finish = async (at: number): Promise<void> => {
    for (;;) {
      if (pacer.due) {
        report();
        await pacer.pause();
      }
      if (at < 0) return;
      at = tally.step(at);
    }
  };
  await readTexts(fn, texts, (text) => {
    tally.begin(text);
    const at = tally.step(0);
    return at < 0 && !pacer.due ? undefined : finish(at);
  });
  report();
  return tally.words.toMap();
}
