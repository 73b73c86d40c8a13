/**
 * The percentile bootstrap (Efron & Tibshirani, "An Introduction to the Bootstrap", 1993,
 * ch. 13): resample the data with replacement, recompute the statistic, and read the
 * confidence interval off the quantiles of the replicates. Seeded, so intervals reproduce.
 */
import { describeValue } from './argumentChecks.js';
import { NumericError } from './errors.js';
import { forEachResample, percentileInterval, resamplingSettings } from './internal/resampling.js';
import type { QuantileMethod } from './quantile.js';
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
  const settings = resamplingSettings(fn, data, statistic, options);
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
  const replicates = new Float64Array(settings.rounds);
  const spread = new RunningMoments();
  forEachResample(fn, data, settings, options, (sample, r) => {
    const value = evaluate(sample, `round ${r}`);
    replicates[r] = value;
    spread.add(value);
  });
  const { lower, upper } = percentileInterval(replicates.slice(), settings);
  return {
    estimate,
    lower,
    upper,
    standardError: settings.rounds > 1 ? spread.standardDeviation : 0,
    confidence: settings.confidence,
    replicates,
  };
}
