/**
 * Fits the Chinchilla law L(N, D) = E + A/N^α + B/D^β to (N, D, loss) points as Hoffmann et al.
 * (2022, §3.3 and appendix D.2) and Besiroglu et al. (2024, arXiv:2404.10102, §2) do: in
 * log space, as LSE(a − α·log N, b − β·log D, e) against log L, with the Huber loss (δ = 1e-3)
 * on the residuals, minimised by L-BFGS from every point of a grid of initial values, the best
 * kept. Bootstrap intervals refit every resample from the full-data optimum.
 *
 * Two scales of the residuals are offered. `'unit'` (default) minimises Σ huber_δ(rᵢ), the
 * objective Hoffmann et al. state. `'fitted'` maximises the Huber likelihood with a fitted scale
 * (see `internal/concomitantScale.ts`), the estimator behind Besiroglu et al.'s Table 1; on
 * their data the two differ mostly along the poorly determined B–β direction (B 2143 vs 2085).
 */
import {
  bootstrapVector,
  type LbfgsOptions,
  type LbfgsStopReason,
  minimizeLbfgs,
  minimizeMultiStart,
} from '@llmkit/numeric';
import type { ChinchillaLaw } from './chinchillaLaw.js';
import { ScalingError } from './errors.js';
import { type FitRange, intervalOf } from './fitRange.js';
import { type ChinchillaGrid, startsOf } from './hoffmannGrid.js';
import { check } from './internal/check.js';
import { huberObjective, type LogPoints, selectPoints } from './internal/chinchillaObjective.js';
import { fitConcomitantScale } from './internal/concomitantScale.js';
import { intervalAt, isConverged, type ParameterInterval } from './parameterInterval.js';
import { type ScalingPoint, toLogPoints } from './scalingPoint.js';

/** Progress of {@link fitScalingLaw}. @public */
export interface FitProgress {
  readonly phase: 'grid' | 'bootstrap';
  readonly completed: number;
  readonly total: number;
}

/** Options of {@link fitScalingLaw}. @public */
export interface FitScalingLawOptions {
  /** The law's form; only the Chinchilla form (use `fitPowerLaw` for one variable). @defaultValue 'chinchilla' */
  readonly form?: 'chinchilla';
  /** Huber threshold on log residuals (Hoffmann et al.'s value). @defaultValue 1e-3 */
  readonly delta?: number;
  /** `'unit'`: minimise Σ huber_δ(rᵢ); `'fitted'`: Huber likelihood with a fitted scale (Besiroglu et al.'s Table 1). @defaultValue 'unit' */
  readonly scale?: 'unit' | 'fitted';
  /** Initial values tried. @defaultValue {@link hoffmannGrid} (4,500 starts) */
  readonly grid?: ChinchillaGrid;
  /**
   * A single starting law instead of the grid: a previous fit to refine, or published values
   * (Besiroglu et al. start their fitted-scale estimate from Hoffmann et al.'s).
   */
  readonly start?: ChinchillaLaw;
  /** Bootstrap resamples for confidence intervals; 0 for none. @defaultValue 0 */
  readonly bootstrap?: number;
  /** Seed of the bootstrap resampling. @defaultValue 0 */
  readonly seed?: number;
  /** Coverage of the bootstrap intervals. @defaultValue 0.95 */
  readonly confidence?: number;
  /** L-BFGS settings for every start (the objective is scaled by 1/δ, so of order Σ|rᵢ|). @defaultValue gradient tolerance 1e-5, numeric's other defaults */
  readonly lbfgs?: Pick<
    LbfgsOptions,
    'gradientTolerance' | 'functionTolerance' | 'maxIterations' | 'history'
  >;
  /** Called after every grid start and every bootstrap resample. */
  readonly onProgress?: (progress: FitProgress) => void;
  /** Stops the fit with an `ABORTED` error. */
  readonly signal?: AbortSignal;
}

/** Bootstrap intervals of every parameter of a Chinchilla fit. @public */
export interface ChinchillaIntervals {
  readonly E: ParameterInterval;
  readonly A: ParameterInterval;
  readonly B: ParameterInterval;
  readonly alpha: ParameterInterval;
  readonly beta: ParameterInterval;
  readonly confidence: number;
  readonly rounds: number;
  readonly seed: number;
}

/** The outcome of {@link fitScalingLaw}: the law, how it was found, and what it rests on. @public */
export interface ScalingLawFit extends ChinchillaLaw {
  readonly form: 'chinchilla';
  /** Σ huber_δ(rᵢ) for `'unit'`; Σ huber_δ(rᵢ/s) + n·log s for `'fitted'`. */
  readonly objective: number;
  /**
   * `'unit'`: whether the best start's L-BFGS run stopped on a tolerance. `'fitted'`: whether the
   * scale and the likelihood stopped changing between alternations; the likelihood has kinks at
   * its optimum, so `reason` is then often `'lineSearchFailed'`.
   */
  readonly converged: boolean;
  readonly reason: LbfgsStopReason;
  readonly delta: number;
  readonly scaleMode: 'unit' | 'fitted';
  /** The fitted scale s of the residuals (1 for `'unit'`). */
  readonly scale: number;
  /** Starts tried, and how many of them converged. */
  readonly starts: number;
  readonly convergedStarts: number;
  /** The start (a, b, e, α, β) that led to the best fit. */
  readonly bestStart: readonly number[];
  /** Objective evaluations of the grid search, over all starts. */
  readonly evaluations: number;
  readonly points: number;
  /** The data's extent: predictions outside it are extrapolations. */
  readonly range: FitRange;
  /** Present when `bootstrap` > 0. */
  readonly intervals?: ChinchillaIntervals;
}

/**
 * Fits L(N, D) = E + A/N^α + B/D^β by Huber loss on log residuals from a grid of starts.
 *
 * @example
 * ```ts
 * const fit = fitScalingLaw(points, { bootstrap: 1000, seed: 1 });
 * fit.alpha; fit.intervals?.alpha; // estimate and 95% interval
 * computeOptimal(fit, 1e24); // uses fit.range to flag extrapolation
 * ```
 * @throws ScalingError on fewer than 6 points, non-positive or implausible values, fewer than
 * two distinct N or D, bad options, or abort.
 * @public
 */
export function fitScalingLaw(
  points: readonly ScalingPoint[],
  options: FitScalingLawOptions = {},
): ScalingLawFit {
  const fn = 'fitScalingLaw';
  if (options.form !== undefined && options.form !== 'chinchilla') {
    throw new ScalingError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'options.form',
      detail: `expected 'chinchilla', received ${JSON.stringify(options.form)}. For L = E + A·x^−α in one variable use fitPowerLaw().`,
    });
  }
  const data = toLogPoints(fn, points, 6, 'the 5 parameters of the Chinchilla law');
  const delta = check.positive(fn, 'options.delta', options.delta ?? 1e-3);
  const scaleMode = options.scale ?? 'unit';
  if (scaleMode !== 'unit' && scaleMode !== 'fitted') {
    throw new ScalingError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'options.scale',
      detail: `expected 'unit' or 'fitted', received ${JSON.stringify(scaleMode)}.`,
    });
  }
  const rounds = check.integer(fn, 'options.bootstrap', options.bootstrap ?? 0, { min: 0 });
  const starts = startsOf(fn, options.grid, options.start);
  // The objective is Σ huber_δ(rᵢ)/δ ≈ Σ|rᵢ|, of order 1: a gradient of 1e-5 is converged to
  // ~1e-7 in the parameters (checked against scipy's BFGS on Epoch AI's data).
  const lbfgs = {
    gradientTolerance: 1e-5,
    ...options.lbfgs,
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const aborted = (): never => {
    throw new ScalingError({ code: 'ABORTED', fn, detail: 'the fit was aborted; no result.' });
  };

  let evaluations = 0;
  const objective = huberObjective(data, delta);
  const counted = (theta: Float64Array, gradient: Float64Array): number => {
    evaluations++;
    return objective(theta, gradient);
  };
  const search = minimizeMultiStart({ valueAndGradient: counted }, starts, {
    ...lbfgs,
    onStart: ({ completed, total }) => options.onProgress?.({ phase: 'grid', completed, total }),
  });
  if (options.signal?.aborted) aborted();
  const unitTheta = search.best.x;
  const final = refine(data, unitTheta, search.best.reason, search.best.value * delta);

  let intervals: ChinchillaIntervals | undefined;
  if (rounds > 0) {
    const indices = Array.from({ length: data.logL.length }, (_, i) => i);
    const seed = check.integer(fn, 'options.seed', options.seed ?? 0, { min: 0 });
    const result = bootstrapVector(
      indices,
      (sample) => {
        const resample = selectPoints(data, sample);
        const start = minimizeLbfgs(
          { valueAndGradient: huberObjective(resample, delta) },
          unitTheta,
          lbfgs,
        );
        return lawOf(refine(resample, start.x, start.reason, start.value * delta).theta);
      },
      {
        rounds,
        seed,
        ...(options.confidence === undefined ? {} : { confidence: options.confidence }),
        ...(options.signal ? { signal: options.signal } : {}),
        onProgress: (completed, total) =>
          options.onProgress?.({ phase: 'bootstrap', completed, total }),
      },
    );
    intervals = {
      E: intervalAt(result, 0),
      A: intervalAt(result, 1),
      B: intervalAt(result, 2),
      alpha: intervalAt(result, 3),
      beta: intervalAt(result, 4),
      confidence: result.confidence,
      rounds,
      seed,
    };
  }

  const [E, A, B, alpha, beta] = lawOf(final.theta);
  return {
    form: 'chinchilla',
    E,
    A,
    B,
    alpha,
    beta,
    objective: final.objective,
    converged: final.converged,
    reason: final.reason,
    delta,
    scaleMode,
    scale: final.scale,
    starts: starts.length,
    convergedStarts: search.outcomes.filter((o) => o.converged).length,
    bestStart: Array.from(starts[search.bestStart] as Float64Array),
    evaluations,
    points: data.logL.length,
    range: rangeOf(points),
    ...(intervals === undefined ? {} : { intervals }),
  };

  /** The unit-scale optimum as it is, or refitted with a fitted scale. */
  function refine(
    logPoints: LogPoints,
    theta: Float64Array,
    reason: LbfgsStopReason,
    objective: number,
  ): {
    theta: Float64Array;
    objective: number;
    scale: number;
    converged: boolean;
    reason: LbfgsStopReason;
  } {
    if (reason === 'aborted') aborted();
    if (scaleMode === 'unit') {
      return { theta, objective, scale: 1, converged: isConverged(reason), reason };
    }
    const fit = fitConcomitantScale(logPoints, theta, delta, lbfgs, fn);
    if (fit.result.reason === 'aborted') aborted();
    return {
      theta: fit.result.x,
      objective: fit.objective,
      scale: fit.scale,
      converged: fit.converged,
      reason: fit.result.reason,
    };
  }
}

/** (E, A, B, α, β) from θ = (a, b, e, α, β). */
function lawOf(theta: Float64Array): [number, number, number, number, number] {
  const [a, b, e, alpha, beta] = theta as unknown as [number, number, number, number, number];
  return [Math.exp(e), Math.exp(a), Math.exp(b), alpha, beta];
}

function rangeOf(points: readonly ScalingPoint[]): FitRange {
  return {
    params: intervalOf(points.map((p) => p.params)),
    tokens: intervalOf(points.map((p) => p.tokens)),
    flops: intervalOf(points.map((p) => 6 * p.params * p.tokens)),
  };
}
