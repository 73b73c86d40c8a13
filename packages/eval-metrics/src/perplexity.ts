/**
 * Streaming, mergeable likelihood metrics with lm-evaluation-harness's definitions
 * (`lm_eval/api/metrics.py`, `lm_eval/api/task.py`):
 *
 * - token perplexity exp(Σ −log p / Σ tokens) — equal to 2^(bits per token), the base only
 *   changes the unit of the loss, not the perplexity;
 * - document perplexity exp(−mean over documents of log p(doc)) — the harness's `perplexity`
 *   aggregation of `loglikelihood` tasks;
 * - word perplexity exp(Σ −log p / Σ words) and byte perplexity exp(Σ −log p / Σ bytes) — its
 *   `weighted_perplexity` — and bits per byte Σ −log p / Σ bytes / ln 2 (`bits_per_byte`),
 *   sum-over-sum ratios where words are `len(re.split(r"\s+", text))` and bytes are UTF-8.
 *
 * Standard errors treat documents as the sampling unit: delta-method ratio standard errors
 * (the harness bootstraps document perplexity and reports none for the ratios; the delta
 * method is the large-sample limit of that bootstrap and merges across workers).
 */
import { RunningCovariance } from '@llmkit/numeric';
import { EvalMetricsError } from './errors.js';
import { check, invalid } from './internal/check.js';
import { harnessWordCount, utf8Length } from './internal/text.js';

/** Sizes of the document whose log-probabilities are added, for word- and byte-level metrics. @public */
export interface DocumentSize {
  /** The document's text: its UTF-8 bytes and harness word count are derived from it. */
  readonly text?: string;
  /** UTF-8 bytes of the scored text (overrides `text`). */
  readonly bytes?: number;
  /** Words of the scored text (overrides `text`). */
  readonly words?: number;
}

/** Options of {@link PerplexityAccumulator}. @public */
export interface PerplexityOptions {
  /**
   * Base of the log-probabilities passed to `add`: `'e'` for natural logs (what model APIs
   * return), `2` for log₂. @defaultValue 'e'
   */
  readonly logBase?: 'e' | 2;
}

/** Serialised state of a {@link PerplexityAccumulator}, for other workers or storage. @public */
export interface PerplexityState {
  readonly version: 1;
  /** The base later `add` calls read log-probabilities in (the state itself is in nats). */
  readonly logBase: 'e' | 2;
  /** (tokens, −log p) per document. */
  readonly tokens: ReturnType<RunningCovariance['toJSON']>;
  /** (bytes, −log p) per document, or null when no byte counts were given. */
  readonly bytes: ReturnType<RunningCovariance['toJSON']> | null;
  /** (words, −log p) per document, or null when no word counts were given. */
  readonly words: ReturnType<RunningCovariance['toJSON']> | null;
}

/** Likelihood metrics of everything added so far. @public */
export interface PerplexityResult {
  readonly documents: number;
  readonly tokens: number;
  /** Σ bytes, when every document had a size. */
  readonly bytes: number | undefined;
  /** Σ words, when every document had a size. */
  readonly words: number | undefined;
  /** Mean negative log-likelihood per token in nats, Σ −ln p / Σ tokens. */
  readonly crossEntropy: number;
  readonly crossEntropyStandardError: number;
  /** The same in bits: crossEntropy / ln 2. */
  readonly bitsPerToken: number;
  /** exp(crossEntropy) = 2^bitsPerToken. */
  readonly perplexity: number;
  readonly perplexityStandardError: number;
  /** exp(mean over documents of −ln p(document)), the harness's `perplexity`. */
  readonly documentPerplexity: number;
  readonly documentPerplexityStandardError: number;
  /** exp(Σ −ln p / Σ words), the harness's `word_perplexity`. */
  readonly wordPerplexity: number | undefined;
  readonly wordPerplexityStandardError: number | undefined;
  /** exp(Σ −ln p / Σ bytes), the harness's `byte_perplexity`. */
  readonly bytePerplexity: number | undefined;
  readonly bytePerplexityStandardError: number | undefined;
  /** Σ −ln p / Σ bytes / ln 2, the harness's `bits_per_byte`. */
  readonly bitsPerByte: number | undefined;
  readonly bitsPerByteStandardError: number | undefined;
}

const LN2 = Math.LN2;

/**
 * Accumulates token log-probabilities document by document; shards on different workers merge
 * (`merge`, or `toJSON` → `fromJSON` across processes) to the same result as one pass.
 *
 * @example
 * ```ts
 * const acc = new PerplexityAccumulator();
 * acc.add([-2.1, -0.3, -1.7], { text: 'Hello brave world' });
 * acc.add([-0.9, -4.2], { text: 'Goodbye' });
 * const { perplexity, bitsPerByte, wordPerplexity } = acc.result();
 * ```
 * @public
 */
export class PerplexityAccumulator {
  private readonly scale: number;
  private readonly logBase: 'e' | 2;
  private tokenStats = new RunningCovariance();
  private byteStats: RunningCovariance | null = null;
  private wordStats: RunningCovariance | null = null;

  constructor(options: PerplexityOptions = {}) {
    const base = options.logBase ?? 'e';
    if (base !== 'e' && base !== 2) {
      invalid('PerplexityAccumulator', 'options.logBase', "expected 'e' or 2.");
    }
    this.logBase = base;
    this.scale = base === 2 ? LN2 : 1;
  }

  /** Restores an accumulator from {@link PerplexityAccumulator.toJSON}. */
  static fromJSON(state: PerplexityState): PerplexityAccumulator {
    if (state?.version !== 1) {
      invalid(
        'PerplexityAccumulator.fromJSON',
        'state',
        'expected a state from toJSON() (version 1).',
      );
    }
    const acc = new PerplexityAccumulator({ logBase: state.logBase });
    acc.tokenStats = RunningCovariance.fromJSON(state.tokens);
    acc.byteStats = state.bytes === null ? null : RunningCovariance.fromJSON(state.bytes);
    acc.wordStats = state.words === null ? null : RunningCovariance.fromJSON(state.words);
    return acc;
  }

  /**
   * Adds one document (or one scored continuation) from its per-token log-probabilities.
   *
   * @param tokenLogprobs - log p of each token, ≤ 0 and finite, in the accumulator's `logBase`.
   * @param size - the document's text or its byte and word counts, for byte/word metrics.
   * @throws EvalMetricsError `NON_FINITE` on NaN/±Infinity (a token of probability 0 has no finite
   * perplexity), `INVALID_ARGUMENT` on a positive log-probability, `EMPTY_INPUT` on no tokens.
   */
  add(tokenLogprobs: ArrayLike<number>, size: DocumentSize = {}): this {
    const fn = 'PerplexityAccumulator.add';
    const values = check.finiteArray(fn, 'tokenLogprobs', tokenLogprobs, 1);
    let sum = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      if (v > 0) positiveLogprob(fn, `tokenLogprobs[${i}]`, v);
      sum += v;
    }
    return this.record(fn, sum, values.length, size);
  }

  /**
   * Adds one document from its total log-likelihood and token count — what rolling-window
   * scoring ({@link rollingLoglikelihood}) or a `loglikelihood` API returns.
   */
  addTotal(logLikelihood: number, tokenCount: number, size: DocumentSize = {}): this {
    const fn = 'PerplexityAccumulator.addTotal';
    const total = check.finite(fn, 'logLikelihood', logLikelihood);
    if (total > 0) positiveLogprob(fn, 'logLikelihood', total);
    check.integer(fn, 'tokenCount', tokenCount, { min: 1 });
    return this.record(fn, total, tokenCount, size);
  }

  private record(fn: string, logLikelihood: number, tokens: number, size: DocumentSize): this {
    const nll = -logLikelihood * this.scale;
    const bytes =
      size.bytes !== undefined
        ? check.integer(fn, 'size.bytes', size.bytes, { min: 1 })
        : size.text !== undefined
          ? utf8Length(size.text)
          : undefined;
    const words =
      size.words !== undefined
        ? check.integer(fn, 'size.words', size.words, { min: 1 })
        : size.text !== undefined
          ? harnessWordCount(size.text)
          : undefined;
    if (bytes === 0) invalid(fn, 'size.text', 'expected a non-empty text; it has 0 UTF-8 bytes.');
    const n = this.tokenStats.count;
    const hadSizes = this.byteStats !== null;
    if (n > 0 && hadSizes !== (bytes !== undefined)) {
      invalid(
        fn,
        'size',
        hadSizes
          ? 'earlier documents had a text or byte/word counts and this one has none; give every document its size, or none.'
          : 'earlier documents had no size and this one has; give every document its size, or none.',
      );
    }
    this.tokenStats.add(tokens, nll);
    if (bytes !== undefined) {
      this.byteStats ??= new RunningCovariance();
      this.wordStats ??= new RunningCovariance();
      this.byteStats.add(bytes, nll);
      this.wordStats.add(words ?? 1, nll);
    }
    return this;
  }

  /** Folds another accumulator into this one (states are in nats, so bases may differ). */
  merge(other: PerplexityAccumulator): this {
    const fn = 'PerplexityAccumulator.merge';
    if (!(other instanceof PerplexityAccumulator)) {
      invalid(fn, 'other', 'expected a PerplexityAccumulator; restore JSON state with fromJSON().');
    }
    if (other.tokenStats.count === 0) return this;
    if (this.tokenStats.count > 0 && (this.byteStats === null) !== (other.byteStats === null)) {
      invalid(fn, 'other', 'one accumulator has document sizes and the other has none.');
    }
    this.tokenStats.merge(other.tokenStats);
    if (other.byteStats !== null && other.wordStats !== null) {
      this.byteStats = (this.byteStats ?? new RunningCovariance()).merge(other.byteStats);
      this.wordStats = (this.wordStats ?? new RunningCovariance()).merge(other.wordStats);
    }
    return this;
  }

  /** Documents added so far. */
  get documents(): number {
    return this.tokenStats.count;
  }

  /** The base log-probabilities are read in. */
  get base(): 'e' | 2 {
    return this.logBase;
  }

  /**
   * The metrics so far. Standard errors are NaN below two documents.
   * @throws EvalMetricsError `EMPTY_INPUT` when nothing was added.
   */
  result(): PerplexityResult {
    const t = this.tokenStats;
    const n = t.count;
    if (n === 0) {
      throw new EvalMetricsError({
        code: 'EMPTY_INPUT',
        fn: 'PerplexityAccumulator.result',
        detail: 'no documents were added; call add() first.',
      });
    }
    const crossEntropy = t.meanY / t.meanX;
    const ceSe = t.ratioStandardError;
    const perplexity = Math.exp(crossEntropy);
    const docNll = t.meanY;
    const docSe = Math.sqrt(t.varianceY / n);
    const documentPerplexity = Math.exp(docNll);
    const b = this.byteStats;
    const w = this.wordStats;
    const perByte = b === null ? undefined : b.meanY / b.meanX;
    const perWord = w === null ? undefined : w.meanY / w.meanX;
    return {
      documents: n,
      tokens: Math.round(t.meanX * n),
      bytes: b === null ? undefined : Math.round(b.meanX * n),
      words: w === null ? undefined : Math.round(w.meanX * n),
      crossEntropy,
      crossEntropyStandardError: ceSe,
      bitsPerToken: crossEntropy / LN2,
      perplexity,
      perplexityStandardError: perplexity * ceSe,
      documentPerplexity,
      documentPerplexityStandardError: documentPerplexity * docSe,
      wordPerplexity: perWord === undefined ? undefined : Math.exp(perWord),
      wordPerplexityStandardError:
        perWord === undefined || w === null ? undefined : Math.exp(perWord) * w.ratioStandardError,
      bytePerplexity: perByte === undefined ? undefined : Math.exp(perByte),
      bytePerplexityStandardError:
        perByte === undefined || b === null ? undefined : Math.exp(perByte) * b.ratioStandardError,
      bitsPerByte: perByte === undefined ? undefined : perByte / LN2,
      bitsPerByteStandardError: b === null ? undefined : b.ratioStandardError / LN2,
    };
  }

  /** A plain snapshot (log-probabilities already converted to nats). */
  toJSON(): PerplexityState {
    return {
      version: 1,
      logBase: this.logBase,
      tokens: this.tokenStats.toJSON(),
      bytes: this.byteStats?.toJSON() ?? null,
      words: this.wordStats?.toJSON() ?? null,
    };
  }
}

function positiveLogprob(fn: string, argument: string, value: number): never {
  return invalid(
    fn,
    argument,
    `expected a log-probability ≤ 0, received ${value}. Pass log p (natural log unless logBase is 2), not p or a negated loss.`,
  );
}
