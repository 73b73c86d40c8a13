/**
 * The percentile bootstrap (Efron & Tibshirani, "An Introduction to the Bootstrap", 1993,
 * ch. 13): resample the data with replacement, recompute the statistic, and read the
 * confidence interval off the quantiles of the replicates. Seeded, so intervals reproduce.
 */
import { describeValue } from './argumentChecks.js';
import { NumericError } from './errors.js';
import { check } from './internal/check.js';
import { type QuantileMethod, quantileOfSorted } from './quantile.js';
import { Random } from './random.js';
import { RunningMoments } from './runningMoments.js';

/** Options of {@link bootstrap}. @public */
export interface BootstrapOptions {
  /** Resamples drawn. @defaultValue 1000 */
  readonly rounds?: number;
  /** Seed of the resampling stream; round r uses `new Random(seed).fork(r)`. @defaultValue 0 */
  readonly seed?: number;
  /** Central coverage of the interval. @defaultValue 0.95 */
  readonly confidence?: number;
  /** How the interval's quantiles are read off the replicates. @defaultValue 'linear' */
  readonly quantileMethod?: QuantileMethod;
  /** Called after every round with (completed, total). */
  readonly onProgress?: (completed: number, total: number) => void;
  /** Stops between rounds with an `ABORTED` error. */
  readonly signal?: AbortSignal;
}

/** The outcome of {@link bootstrap}. @public */
export interface BootstrapResult {
  /** The statistic on the original data. */
  readonly estimate: number;
  /** Lower end of the percentile interval. */
  readonly lower: number;
  /** Upper end of the percentile interval. */
  readonly upper: number;
  /** Standard deviation of the replicates: the bootstrap standard error. */
  readonly standardError: number;
  readonly confidence: number;
  /** The statistic on every resample, in round order. */
  readonly replicates: Float64Array;
}

/**
 * Percentile-bootstrap confidence interval of `statistic` over `data`.
 *
 * Each round draws `data.length` items with replacement using its own stream
 * (`fork(round)` of the seed), so any round can be recomputed alone and the result does not
 * depend on how rounds are scheduled.
 *
 * @example
 * ```ts
 * const { estimate, lower, upper } = bootstrap([3, 1, 4, 1, 5, 9, 2, 6], mean, { seed: 7 });
 * ```
 * @throws NumericError on empty data, a statistic that returns a non-finite value, or abort.
 * @public
 */
export function bootstrap<T>(
  data: readonly T[],
  statistic: (sample: readonly T[]) => number,
  options: BootstrapOptions = {},
): BootstrapResult {
  const fn = 'bootstrap';
  if (!Array.isArray(data) || data.length === 0) {
    throw new NumericError({
      code: 'EMPTY_INPUT',
      fn,
      argument: 'data',
      detail: `expected a non-empty array, received ${describeValue(data)}. Copy typed arrays with Array.from().`,
    });
  }
  if (typeof statistic !== 'function') {
    throw new NumericError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'statistic',
      detail: `expected a function (sample) => number, received ${describeValue(statistic)}.`,
    });
  }
  const rounds = check.integer(fn, 'options.rounds', options.rounds ?? 1000, { min: 1 });
  const seed = check.integer(fn, 'options.seed', options.seed ?? 0, { min: 0 });
  const confidence = check.probability(fn, 'options.confidence', options.confidence ?? 0.95);
  if (confidence === 0 || confidence === 1) {
    throw new NumericError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'options.confidence',
      detail: `expected a coverage strictly between 0 and 1, received ${confidence}; 0.95 is usual.`,
    });
  }
  const evaluate = (sample: readonly T[], round: string): number => {
    const value = statistic(sample);
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new NumericError({
        code: 'NON_FINITE',
        fn,
        argument: 'statistic',
        detail: `returned ${describeValue(value)} on ${round}; it must return a finite number for every resample.`,
      });
    }
    return value;
  };

  const estimate = evaluate(data, 'the original data');
  const root = new Random(seed);
  const replicates = new Float64Array(rounds);
  const spread = new RunningMoments();
  const sample: T[] = new Array(data.length);
  for (let r = 0; r < rounds; r++) {
    if (options.signal?.aborted) {
      throw new NumericError({
        code: 'ABORTED',
        fn,
        detail: `aborted after ${r} of ${rounds} rounds.`,
      });
    }
    const rng = root.fork(r);
    for (let i = 0; i < data.length; i++) sample[i] = data[rng.int(data.length)] as T;
    const value = evaluate(sample, `round ${r}`);
    replicates[r] = value;
    spread.add(value);
    options.onProgress?.(r + 1, rounds);
  }
  const sorted = replicates.slice().sort();
  const tail = (1 - confidence) / 2;
  const method = options.quantileMethod ?? 'linear';
  return {
    estimate,
    lower: quantileOfSorted(sorted, tail, method),
    upper: quantileOfSorted(sorted, 1 - tail, method),
    standardError: rounds > 1 ? spread.standardDeviation : 0,
    confidence,
    replicates,
  };
}
