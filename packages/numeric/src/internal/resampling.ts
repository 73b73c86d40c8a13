/**
 * What {@link bootstrap} and {@link bootstrapVector} share: validation of the data and options,
 * the seeded resampling loop (round r draws with `new Random(seed).fork(r)`), and the
 * percentile interval.
 */
import { describeValue } from '../argumentChecks.js';
import type { BootstrapOptions } from '../bootstrap.js';
import { NumericError } from '../errors.js';
import { type QuantileMethod, quantileOfSorted } from '../quantile.js';
import { Random } from '../random.js';
import { check } from './check.js';

/** Validated bootstrap options. */
export interface ResamplingSettings {
  readonly rounds: number;
  readonly seed: number;
  readonly confidence: number;
  readonly quantileMethod: QuantileMethod;
}

/** Checks the data, the statistic and the options of a bootstrap call named `fn`. */
export function resamplingSettings(
  fn: string,
  data: unknown,
  statistic: unknown,
  options: BootstrapOptions,
): ResamplingSettings {
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
  return { rounds, seed, confidence, quantileMethod: options.quantileMethod ?? 'linear' };
}

/**
 * Calls `visit(sample, round)` for every round in order. The sample array is reused between
 * rounds. Honours `options.signal` (throws `ABORTED` between rounds) and `options.onProgress`.
 */
export function forEachResample<T>(
  fn: string,
  data: readonly T[],
  settings: ResamplingSettings,
  options: BootstrapOptions,
  visit: (sample: readonly T[], round: number) => void,
): void {
  const root = new Random(settings.seed);
  const sample: T[] = new Array(data.length);
  for (let r = 0; r < settings.rounds; r++) {
    if (options.signal?.aborted) {
      throw new NumericError({
        code: 'ABORTED',
        fn,
        detail: `aborted after ${r} of ${settings.rounds} rounds.`,
      });
    }
    const rng = root.fork(r);
    for (let i = 0; i < data.length; i++) sample[i] = data[rng.int(data.length)] as T;
    visit(sample, r);
    options.onProgress?.(r + 1, settings.rounds);
  }
}

/** The central `confidence` percentile interval of replicates (sorted in place). */
export function percentileInterval(
  replicates: Float64Array,
  settings: ResamplingSettings,
): { readonly lower: number; readonly upper: number } {
  const sorted = replicates.sort();
  const tail = (1 - settings.confidence) / 2;
  return {
    lower: quantileOfSorted(sorted, tail, settings.quantileMethod),
    upper: quantileOfSorted(sorted, 1 - tail, settings.quantileMethod),
  };
}
