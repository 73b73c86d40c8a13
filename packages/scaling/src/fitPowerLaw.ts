/**
 * Single-variable power laws with an offset, L(x) = E + A·x^−α, as Kaplan et al. (2020, §1.2,
 * eqs. 1.1–1.3) fit loss against parameters, data or compute, and as one extrapolates from a
 * handful of small runs. Fitted in log space with the Huber loss like the Chinchilla law
 * (see `fitScalingLaw.ts`), from a grid of starts in which the coefficient is set from the data
 * for each (α, E) pair. `offset: false` fits the pure power law L = A·x^−α.
 */
import {
  bootstrapVector,
  type LbfgsStopReason,
  minimizeLbfgs,
  minimizeMultiStart,
} from '@llmkit/numeric';
import { ScalingError } from './errors.js';
import { type Interval, intervalOf } from './fitRange.js';
import { check } from './internal/check.js';
import { type LogXY, powerLawObjective } from './internal/powerLawObjective.js';
import { intervalAt, isConverged, type ParameterInterval } from './parameterInterval.js';

/** One measurement: the loss at x (parameters, tokens, FLOPs, steps…). @public */
export interface PowerLawPoint {
  readonly x: number;
  readonly loss: number;
}

/** L(x) = E + A·x^−α. @public */
export interface PowerLaw {
  /** The offset (irreducible loss); 0 without offset. */
  readonly E: number;
  readonly A: number;
  readonly alpha: number;
}

/** Options of {@link fitPowerLaw}. @public */
export interface FitPowerLawOptions {
  /** Fit E (true) or L = A·x^−α (false). @defaultValue true */
  readonly offset?: boolean;
  /** Huber threshold on log residuals. @defaultValue 1e-3 */
  readonly delta?: number;
  /** Exponents tried as starts. @defaultValue [0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5, 2] */
  readonly alphaStarts?: readonly number[];
  /** Offsets tried as starts, as fractions of the smallest loss. @defaultValue [0.01, 0.25, 0.5, 0.75, 0.9] */
  readonly offsetStarts?: readonly number[];
  /** Bootstrap resamples for intervals; 0 for none. @defaultValue 0 */
  readonly bootstrap?: number;
  /** Seed of the bootstrap. @defaultValue 0 */
  readonly seed?: number;
  /** Coverage of the intervals. @defaultValue 0.95 */
  readonly confidence?: number;
}

/** The outcome of {@link fitPowerLaw}. @public */
export interface PowerLawFit extends PowerLaw {
  readonly offset: boolean;
  /** Σ huber_δ(rᵢ) at the optimum. */
  readonly objective: number;
  readonly converged: boolean;
  readonly reason: LbfgsStopReason;
  readonly points: number;
  /** The range of x fitted: predictions outside it are extrapolations. */
  readonly range: Interval;
  /** Present when `bootstrap` > 0. */
  readonly intervals?: {
    readonly E: ParameterInterval;
    readonly A: ParameterInterval;
    readonly alpha: ParameterInterval;
    readonly confidence: number;
    /** α of every resample, in round order (for comparing two fits). */
    readonly alphaReplicates: Float64Array;
  };
}

/**
 * Fits L(x) = E + A·x^−α by Huber loss on log residuals.
 *
 * @example
 * ```ts
 * const fit = fitPowerLaw(runs.map((r) => ({ x: r.params, loss: r.loss })), { bootstrap: 500, seed: 1 });
 * predictPowerLaw(fit, 10 * fit.range.max); // an extrapolation: check fit.intervals first
 * ```
 * @throws ScalingError on fewer points than parameters + 1, non-positive x or loss, constant x.
 * @public
 */
export function fitPowerLaw(
  points: readonly PowerLawPoint[],
  options: FitPowerLawOptions = {},
): PowerLawFit {
  const fn = 'fitPowerLaw';
  const offset = options.offset ?? true;
  const parameters = offset ? 3 : 2;
  if (!Array.isArray(points) || points.length < parameters + 1) {
    throw new ScalingError({
      code: 'EMPTY_INPUT',
      fn,
      argument: 'points',
      detail: `expected at least ${parameters + 1} points to fit ${parameters} parameters, received ${Array.isArray(points) ? points.length : 'no array'}. Add runs, or fit without offset.`,
    });
  }
  const logX = Float64Array.from(points, (p, i) =>
    Math.log(check.positive(fn, `points[${i}].x`, p?.x)),
  );
  const logL = Float64Array.from(points, (p, i) =>
    Math.log(check.positive(fn, `points[${i}].loss`, p?.loss)),
  );
  if (logX.every((v) => v === logX[0])) {
    throw new ScalingError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'points',
      detail: 'every point has the same x; a power law in x needs at least two distinct values.',
    });
  }
  const delta = check.positive(fn, 'options.delta', options.delta ?? 1e-3);
  const alphaStarts = check.finiteArray(
    fn,
    'options.alphaStarts',
    options.alphaStarts ?? [0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5, 2],
    1,
  );
  const offsetStarts = check.finiteArray(
    fn,
    'options.offsetStarts',
    options.offsetStarts ?? [0.01, 0.25, 0.5, 0.75, 0.9],
    1,
  );
  for (let i = 0; i < offsetStarts.length; i++) {
    const f = offsetStarts[i] as number;
    if (!(f > 0 && f < 1)) {
      throw new ScalingError({
        code: 'INVALID_ARGUMENT',
        fn,
        argument: `options.offsetStarts[${i}]`,
        detail: `expected a fraction of the smallest loss in (0, 1), received ${f}.`,
      });
    }
  }
  const rounds = check.integer(fn, 'options.bootstrap', options.bootstrap ?? 0, { min: 0 });
  const lbfgs = { gradientTolerance: 1e-6 };

  const fitData = (data: LogXY, warm?: Float64Array) => {
    const objective = { valueAndGradient: powerLawObjective(data, delta, offset) };
    if (warm !== undefined) return minimizeLbfgs(objective, warm, lbfgs);
    return minimizeMultiStart(objective, startsFor(data), lbfgs).best;
  };
  const startsFor = (data: LogXY): Float64Array[] => {
    const minLoss = Math.exp(Math.min(...data.logL));
    const starts: Float64Array[] = [];
    for (let k = 0; k < alphaStarts.length; k++) {
      const alpha = alphaStarts[k] as number;
      for (const fraction of offset ? Array.from(offsetStarts) : [0]) {
        const E = fraction * minLoss;
        // The coefficient that puts the curve through the median point for this (α, E).
        const implied = Array.from(
          data.logL,
          (l, i) => Math.log(Math.exp(l) - E) + alpha * (data.logX[i] as number),
        ).sort((p, q) => p - q);
        const a = implied[implied.length >> 1] as number;
        starts.push(offset ? Float64Array.of(a, alpha, Math.log(E)) : Float64Array.of(a, alpha));
      }
    }
    return starts;
  };
  const lawOf = (theta: Float64Array): [number, number, number] => [
    offset ? Math.exp(theta[2] as number) : 0,
    Math.exp(theta[0] as number),
    theta[1] as number,
  ];

  const data = { logX, logL };
  const best = fitData(data);
  const [E, A, alpha] = lawOf(best.x);
  let intervals: PowerLawFit['intervals'];
  if (rounds > 0) {
    const indices = Array.from({ length: points.length }, (_, i) => i);
    const result = bootstrapVector(
      indices,
      (sample) => {
        const pick = (v: Float64Array) => Float64Array.from(sample, (i) => v[i] as number);
        return lawOf(fitData({ logX: pick(logX), logL: pick(logL) }, best.x).x);
      },
      {
        rounds,
        seed: check.integer(fn, 'options.seed', options.seed ?? 0, { min: 0 }),
        ...(options.confidence === undefined ? {} : { confidence: options.confidence }),
      },
    );
    intervals = {
      E: intervalAt(result, 0),
      A: intervalAt(result, 1),
      alpha: intervalAt(result, 2),
      confidence: result.confidence,
      alphaReplicates: Float64Array.from(result.replicates, (r) => r[2] as number),
    };
  }
  return {
    E,
    A,
    alpha,
    offset,
    objective: best.value * delta,
    converged: isConverged(best.reason),
    reason: best.reason,
    points: points.length,
    range: intervalOf(points.map((p) => p.x)),
    ...(intervals === undefined ? {} : { intervals }),
  };
}

/**
 * E + A·x^−α.
 * @public
 */
export function predictPowerLaw(law: PowerLaw, x: number): number {
  const fn = 'predictPowerLaw';
  const value = check.positive(fn, 'x', x);
  return (
    check.nonNegative(fn, 'law.E', law?.E) +
    check.positive(fn, 'law.A', law.A) * value ** -check.finite(fn, 'law.alpha', law.alpha)
  );
}
