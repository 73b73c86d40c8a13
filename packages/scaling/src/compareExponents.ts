/**
 * Compares the scaling exponents of two architectures (or recipes) fitted on their own runs,
 * as Kaplan et al. (2020, §3.2 and Figure 7) compare transformers with LSTMs: each set gets its
 * own power-law fit and bootstrap, and round r of one is paired with round r of the other
 * (independent resamples), giving an interval for the difference of the exponents.
 */
import { quantiles } from '@llmkit/numeric';
import { ScalingError } from './errors.js';
import {
  type FitPowerLawOptions,
  fitPowerLaw,
  type PowerLawFit,
  type PowerLawPoint,
} from './fitPowerLaw.js';
import { check } from './internal/check.js';

/** Options of {@link compareExponents}: those of the two fits. @public */
export interface CompareExponentsOptions extends Omit<FitPowerLawOptions, 'bootstrap'> {
  /** Bootstrap resamples of each set. @defaultValue 1000 */
  readonly bootstrap?: number;
}

/** The outcome of {@link compareExponents}. @public */
export interface ExponentComparison {
  readonly first: PowerLawFit;
  readonly second: PowerLawFit;
  /** α of the first minus α of the second: positive when the first improves faster with x. */
  readonly difference: number;
  /** Percentile interval of the difference at the requested confidence. */
  readonly lower: number;
  readonly upper: number;
  readonly confidence: number;
  /** Share of bootstrap rounds in which the first exponent is the larger. */
  readonly probabilityFirstSteeper: number;
}

/**
 * Fits L = E + A·x^−α to two sets of runs and compares their exponents α.
 *
 * @example
 * ```ts
 * const { difference, lower, upper } = compareExponents(transformerRuns, lstmRuns, { seed: 3 });
 * // an interval excluding 0 says the slopes differ at that confidence
 * ```
 * @public
 */
export function compareExponents(
  first: readonly PowerLawPoint[],
  second: readonly PowerLawPoint[],
  options: CompareExponentsOptions = {},
): ExponentComparison {
  const fn = 'compareExponents';
  const rounds = check.integer(fn, 'options.bootstrap', options.bootstrap ?? 1000, { min: 2 });
  const seed = check.integer(fn, 'options.seed', options.seed ?? 0, { min: 0, max: 2 ** 31 });
  const confidence = check.probability(fn, 'options.confidence', options.confidence ?? 0.95);
  if (confidence === 0 || confidence === 1) {
    throw new ScalingError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'options.confidence',
      detail: `expected a coverage strictly between 0 and 1, received ${confidence}.`,
    });
  }
  const a = fitPowerLaw(first, { ...options, bootstrap: rounds, seed, confidence });
  const b = fitPowerLaw(second, { ...options, bootstrap: rounds, seed: seed + 1, confidence });
  const ra = a.intervals?.alphaReplicates as Float64Array;
  const rb = b.intervals?.alphaReplicates as Float64Array;
  const differences = Float64Array.from(ra, (x, i) => x - (rb[i] as number));
  const tail = (1 - confidence) / 2;
  const [lower, upper] = quantiles(differences, [tail, 1 - tail]) as unknown as [number, number];
  let steeper = 0;
  for (const d of differences) if (d > 0) steeper++;
  return {
    first: a,
    second: b,
    difference: a.alpha - b.alpha,
    lower,
    upper,
    confidence,
    probabilityFirstSteeper: steeper / rounds,
  };
}
