/**
 * What training reports while it runs: how much of the corpus has been read and counted, then
 * how many merges are made. Reports come at most every ~100 ms and once at the end of each phase.
 */

/** Progress of the counting pass over the corpus. @public */
export interface CountProgress {
  /** Texts (iterable elements) read so far. */
  readonly textsRead: number;
  /** UTF-8 bytes of those texts. */
  readonly bytesRead: number;
  /** Pre-tokens counted so far (every occurrence). */
  readonly wordsCounted: number;
  /** Distinct pre-tokens so far. */
  readonly uniqueWords: number;
}

/** Progress of {@link trainBpe}: counting, then merging, then done. @public */
export interface TrainProgress extends CountProgress {
  /** `'counting'` reads the corpus; `'merging'` learns merges; `'done'` comes once, last. */
  readonly phase: 'counting' | 'merging' | 'done';
  /** Merges made so far. */
  readonly mergesDone: number;
  /**
   * Merges that would fill the vocabulary (`vocabSize − 256 − specialTokens.length`); training
   * ends earlier when no pair occurs `minFrequency` times.
   */
  readonly mergesTarget: number;
}
