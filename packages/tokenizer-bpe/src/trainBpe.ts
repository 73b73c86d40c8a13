/**
 * `trainBpe`: learns a byte-level BPE vocabulary from a corpus, in two phases.
 *
 * 1. Counting (`countWords.ts`): one streaming pass turns the corpus into a table of distinct
 *    pre-tokens and their counts — on this thread, or on worker threads with the counter from
 *    `@llmkit/tokenizer-bpe/node`.
 * 2. Merging (`internal/mergeTrainer.ts`): starting from the 256 bytes, the most frequent
 *    adjacent pair is merged into a new token until the vocabulary is full, with pair counts
 *    updated incrementally and a priority queue, never recounting the corpus.
 *
 * The result is the same as Hugging Face's `BpeTrainer` with a ByteLevel initial alphabet and
 * the same pre-tokenizer: same merges, in the same order, with the same tie-breaking (see
 * `internal/mergeTrainer.ts`). Not covered: `limit_alphabet`, `max_token_length`, continuing
 * subword prefixes and end-of-word suffixes (not used by byte-level BPE).
 */
import { BpeTokenizer } from './bpeTokenizer.js';
import {
  type CountWordsOptions,
  countWords,
  preTokenizerOf,
  type WordCounter,
} from './countWords.js';
import { describeValue } from './internal/describeValue.js';
import { MAX_TRAINED_TOKENS, MergeTrainer } from './internal/mergeTrainer.js';
import { Pacer } from './internal/pacer.js';
import { checkTexts } from './internal/readTexts.js';
import type { PatternName, PreTokenizer } from './preTokenizer.js';
import { TokenizerError } from './tokenizerError.js';
import type { TrainProgress } from './trainProgress.js';

/** Options of {@link trainBpe}. @public */
export interface TrainBpeOptions {
  /**
   * Size of the vocabulary to learn, counting the 256 byte tokens and the special tokens. The
   * result is smaller when the corpus runs out of pairs that occur `minFrequency` times.
   */
  readonly vocabSize: number;
  /**
   * The pre-tokenizer; merges never cross its pieces. A {@link PatternName}, a pattern in
   * tiktoken's regex syntax, or one built.
   * @defaultValue `'cl100k'` (also Llama 3's)
   */
  readonly pattern?: PatternName | string | PreTokenizer;
  /**
   * Special tokens to reserve: they take the ids after the last learned token, in this order,
   * and count towards `vocabSize`.
   * @defaultValue `[]`
   */
  readonly specialTokens?: readonly string[];
  /**
   * Pairs that occur fewer times than this are never merged: training stops at the first one.
   * @defaultValue 1
   */
  readonly minFrequency?: number;
  /** Called about every 100 ms, and once more with phase `'done'`. */
  readonly onProgress?: (progress: TrainProgress) => void;
  /** Cancels training: the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /**
   * The counting pass. The default counts on this thread; `createWorkerCounter()` from
   * `@llmkit/tokenizer-bpe/node` counts on worker threads. Every counter gives the same result.
   * @defaultValue {@link countWords}
   */
  readonly countWords?: WordCounter;
}

function invalid(argument: string, detail: string): TokenizerError {
  return new TokenizerError({ code: 'INVALID_ARGUMENT', fn: 'trainBpe', argument, detail });
}

function checkSpecials(specials: unknown): readonly string[] {
  if (specials === undefined) return [];
  if (!Array.isArray(specials)) {
    throw invalid(
      'options.specialTokens',
      `expected an array of strings, received ${describeValue(specials)}.`,
    );
  }
  const seen = new Set<string>();
  specials.forEach((s: unknown, i) => {
    if (typeof s !== 'string' || s.length === 0 || seen.has(s)) {
      throw invalid(
        `options.specialTokens[${i}]`,
        `expected a non-empty string not listed before, received ${describeValue(s)}.`,
      );
    }
    seen.add(s);
  });
  return specials;
}

function checkVocabSize(vocabSize: unknown, specials: number): number {
  const min = 256 + specials;
  if (
    typeof vocabSize !== 'number' ||
    !Number.isInteger(vocabSize) ||
    vocabSize < min ||
    vocabSize > MAX_TRAINED_TOKENS
  ) {
    const why =
      typeof vocabSize === 'number' && Number.isInteger(vocabSize) && vocabSize < min
        ? `it must hold the 256 byte tokens${specials > 0 ? ` and ${specials} special token${specials > 1 ? 's' : ''}` : ''}, so at least ${min}`
        : `expected an integer from ${min} to ${MAX_TRAINED_TOKENS}`;
    throw invalid(
      'options.vocabSize',
      `${why}, received ${describeValue(vocabSize)}; set vocabSize to 256 + the special tokens + the number of merges to learn.`,
    );
  }
  return vocabSize;
}

/**
 * Trains a byte-level BPE tokenizer on a corpus.
 *
 * Ids: 0–255 are the single bytes (id = byte value), then the learned tokens in the order they
 * were made, then the special tokens. `tokenizer.merges` lists the merges in priority order, one
 * per learned token: `vocabSize − 256 − specialTokens.length` of them, fewer only when no pair
 * occurs `minFrequency` times any more (the corpus is exhausted; the special tokens then follow
 * the last learned token). Ties between equally frequent pairs are broken as Hugging Face's
 * trainer breaks them (see `internal/mergeTrainer.ts`), so both learn the same merges. The
 * tokenizer saves to a Hugging Face `tokenizer.json` (`toHuggingFace()`) and to a `.tiktoken`
 * rank file (`toTiktoken()`).
 * @param texts - an array, iterable or async iterable of strings (documents, lines, chunks);
 *   pre-tokens never span two texts
 * @throws TokenizerError `INVALID_ARGUMENT` for a bad option (a `vocabSize` below 256 + special
 *   tokens, duplicate special tokens, …) or a non-string text; rejects with `signal.reason` when
 *   aborted
 * @example
 * ```ts
 * const tokenizer = await trainBpe(lines, { vocabSize: 1000, specialTokens: ['<|endoftext|>'] });
 * tokenizer.encode('hello world');
 * ```
 * @public
 */
export async function trainBpe(
  texts: Iterable<string> | AsyncIterable<string>,
  options: TrainBpeOptions,
): Promise<BpeTokenizer> {
  checkTexts('trainBpe', texts);
  if (options === null || typeof options !== 'object') {
    throw invalid(
      'options',
      `expected an object with vocabSize, received ${describeValue(options)}.`,
    );
  }
  const specials = checkSpecials(options.specialTokens);
  const vocabSize = checkVocabSize(options.vocabSize, specials.length);
  const minFrequency = options.minFrequency ?? 1;
  if (typeof minFrequency !== 'number' || !(minFrequency >= 0) || minFrequency === Infinity) {
    throw invalid(
      'options.minFrequency',
      `expected a finite number ≥ 0, received ${describeValue(minFrequency)}.`,
    );
  }
  const preTokenizer = preTokenizerOf(options.pattern);
  const { onProgress, signal } = options;
  const mergesTarget = vocabSize - 256 - specials.length;
  let counted = { textsRead: 0, bytesRead: 0, wordsCounted: 0, uniqueWords: 0 };

  // Phase 1: the word table.
  const counter = options.countWords ?? countWords;
  const countOptions: CountWordsOptions = {
    pattern: preTokenizer,
    ...(signal === undefined ? {} : { signal }),
    onProgress: (progress) => {
      counted = { ...progress };
      onProgress?.({ phase: 'counting', ...counted, mergesDone: 0, mergesTarget });
    },
  };
  const words = await counter(texts, countOptions);
  signal?.throwIfAborted();

  // Phase 2: the merges.
  const pacer = new Pacer(signal);
  const trainer = new MergeTrainer(words);
  const report = (phase: TrainProgress['phase']): void =>
    onProgress?.({ phase, ...counted, mergesDone: trainer.merges.length, mergesTarget });
  report('merging');
  const tokenTarget = vocabSize - specials.length;
  while (trainer.tokens.length < tokenTarget && trainer.mergeBest(minFrequency)) {
    if ((trainer.merges.length & 31) === 0 && pacer.due) {
      report('merging');
      await pacer.pause();
    }
  }
  report('done');
  const specialTokens = new Map(specials.map((s, i) => [s, trainer.tokens.length + i]));
  return new BpeTokenizer({
    tokens: trainer.tokens,
    merges: trainer.merges,
    pattern: preTokenizer,
    specialTokens,
  });
}
