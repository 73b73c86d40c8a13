/**
 * The percentile bootstrap of a statistic with several components (the parameters of a fit,
 * the ratings of several players): one resample per round feeds every component, so the
 * intervals come from the same replicates and the statistic is computed once per round.
 */
import { describeValue } from './argumentChecks.js';
import type { BootstrapOptions } from './bootstrap.js';
import { NumericError } from './errors.js';
import { forEachResample, percentileInterval, resamplingSettings } from './internal/resampling.js';
import { RunningMoments } from './runningMoments.js';

/** The outcome of {@link bootstrapVector}: one entry per component of the statistic. @public */
export interface BootstrapVectorResult {
  /** The statistic on the original data. */
  readonly estimate: Float64Array;
  /** Lower ends of the percentile intervals. */
  readonly lower: Float64Array;
  /** Upper ends of the percentile intervals. */
  readonly upper: Float64Array;
  /** Standard deviations of the replicates, per component. */
  readonly standardError: Float64Array;
  readonly confidence: number;
  /** The statistic on every resample, in round order (`replicates[round][component]`). */
  readonly replicates: readonly Float64Array[];
}

/**
 * Percentile-bootstrap intervals of every component of a vector-valued statistic.
 *
 * Round r resamples with `new Random(seed).fork(r)`, exactly as {@link bootstrap} does, so a
 * scalar statistic gives the same replicates either way.
 *
 * @example
 * ```ts
 * const fit = (sample: readonly Point[]) => { const { slope, intercept } = line(sample); return [slope, intercept]; };
 * const { lower, upper } = bootstrapVector(points, fit, { rounds: 1000, seed: 1 });
 * ```
 * @throws NumericError on empty data, a statistic whose length changes or that returns a
 * non-finite value, or abort.
 * @public
 */
export function bootstrapVector<T>(
  data: readonly T[],
  statistic: (sample: readonly T[]) => ArrayLike<number>,
  options: BootstrapOptions = {},
): BootstrapVectorResult {
  const fn = 'bootstrapVector';
  const settings = resamplingSettings(fn, data, statistic, options);
  let width = -1;
  const evaluate = (sample: readonly T[], round: string): Float64Array => {
    const value = statistic(sample);
    const length = (value as { length?: unknown } | null)?.length;
    if (typeof length !== 'number' || length < 1 || (width >= 0 && length !== width)) {
      const expected = width >= 0 ? `${width} numbers, as on the original data` : 'numbers';
      throw new NumericError({
        code: 'INVALID_ARGUMENT',
        fn,
        argument: 'statistic',
        detail: `returned ${describeValue(value)} on ${round}; expected an array of ${expected}.`,
      });
    }
    const copy = Float64Array.from(value);
    const bad = copy.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) {
      throw new NumericError({
        code: 'NON_FINITE',
        fn,
        argument: 'statistic',
        detail: `returned ${describeValue(value[bad])} at index ${bad} on ${round}; every component must be finite for every resample.`,
      });
    }
    width = copy.length;
    return copy;
  };

  const estimate = evaluate(data, 'the original data');
  const replicates: Float64Array[] = [];
  const spreads = Array.from(estimate, () => new RunningMoments());
  forEachResample(fn, data, settings, options, (sample, r) => {
    const value = evaluate(sample, `round ${r}`);
    replicates.push(value);
    for (let k = 0; k < width; k++) (spreads[k] as RunningMoments).add(value[k] as number);
  });
  const lower = new Float64Array(width);
  const upper = new Float64Array(width);
  const standardError = new Float64Array(width);
  const column = new Float64Array(settings.rounds);
  for (let k = 0; k < width; k++) {
    for (let r = 0; r < settings.rounds; r++)
      column[r] = (replicates[r] as Float64Array)[k] as number;
    const interval = percentileInterval(column, settings);
    lower[k] = interval.lower;
    upper[k] = interval.upper;
    standardError[k] = settings.rounds > 1 ? (spreads[k] as RunningMoments).standardDeviation : 0;
  }
  return { estimate, lower, upper, standardError, confidence: settings.confidence, replicates };
}
