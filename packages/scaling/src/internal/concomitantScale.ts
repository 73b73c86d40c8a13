/**
 * Maximum likelihood under a Huber error distribution with a fitted scale s (Huber 1981,
 * "Robust Statistics", §7.7; Owen 2007): minimise Σ huber_δ(rᵢ/s) + n·log s over θ and s jointly.
 * Besiroglu et al. (2024, arXiv:2404.10102) report this estimate in their Table 1 (their
 * notebook's `objective` with σ = log s). Its optimum in θ for a given s is the Huber fit with
 * threshold δ·s, since s²·huber_δ(r/s) = huber_{δs}(r); its optimum in s for a given θ solves
 * n·s = Σ ψ_δ(rᵢ/s)·rᵢ (ψ = huber′), which has a single root.
 *
 * With δ = 1e-3, s comes out near δ·mean|r| ≈ 5e-6 and the threshold δ·s near 5e-9: the fit is
 * a least-absolute-deviation fit in all but name, and its objective has kinks that stall
 * L-BFGS if started there directly. So the threshold is lowered in steps of 10 (continuation),
 * each step warm-started from the last, and θ and s alternate until s is stable.
 */
import {
  huber,
  huberGradient,
  type LbfgsOptions,
  type LbfgsResult,
  minimizeLbfgs,
} from '@llmkit/numeric';
import { ScalingError } from '../errors.js';
import { huberObjective, type LogPoints, logResiduals } from './chinchillaObjective.js';

/** The fitted-scale estimate. */
export interface ConcomitantFit {
  readonly result: LbfgsResult;
  /** The fitted scale s. */
  readonly scale: number;
  /** Σ huber_δ(rᵢ/s) + n·log s at the optimum. */
  readonly objective: number;
  /**
   * Whether s and the likelihood stopped changing (relative 1e-10) between alternations. The
   * gradient is no test here: at the optimum the likelihood has kinks (a least-absolute-
   * deviation fit), where L-BFGS typically ends with a failed line search.
   */
  readonly converged: boolean;
  readonly iterations: number;
  readonly evaluations: number;
}

const MAX_ALTERNATIONS = 100;

/** The scale s solving n·s = Σ ψ_δ(rᵢ/s)·rᵢ for fixed residuals. */
export function huberScale(residuals: Float64Array, delta: number, fn: string): number {
  const n = residuals.length;
  let meanAbs = 0;
  for (const r of residuals) meanAbs += Math.abs(r);
  meanAbs /= n;
  if (!(meanAbs > 0)) {
    throw new ScalingError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'options.scale',
      detail:
        "every residual is zero, so a fitted scale is undefined; use scale: 'unit' for exact data.",
    });
  }
  // h(s) = Σ ψ(rᵢ/s)·rᵢ/s − n falls from +∞ to −n as s grows (ψ(x)·x = x² or δ|x| increases
  // with |x|), so its root is unique: bracket it by doubling from δ·mean|r| (the root when
  // every |rᵢ|/s > δ), then bisect in log s.
  const excess = (s: number): number => {
    let sum = 0;
    for (const r of residuals) sum += (huberGradient(r / s, delta) * r) / s;
    return sum - n;
  };
  let low = delta * meanAbs;
  let high = low;
  while (excess(low) < 0) low /= 2;
  while (excess(high) > 0) high *= 2;
  while (high - low > 1e-15 * high) {
    const middle = Math.sqrt(low * high);
    if (middle <= low || middle >= high) break;
    if (excess(middle) > 0) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}

/** Alternates θ and s from θ₀ (a unit-scale optimum is a good start). */
export function fitConcomitantScale(
  data: LogPoints,
  theta0: Float64Array,
  delta: number,
  lbfgs: LbfgsOptions,
  fn: string,
): ConcomitantFit {
  let theta = theta0;
  let threshold = delta;
  let scale = Number.NaN;
  let result: LbfgsResult | undefined;
  let iterations = 0;
  let evaluations = 0;
  let converged = false;
  let previous = Number.NaN;
  for (let round = 0; round < MAX_ALTERNATIONS && !converged; round++) {
    const next = huberScale(logResiduals(data, theta), delta, fn);
    const likelihood = negativeLogLikelihood(next);
    converged =
      Math.abs(next - scale) <= 1e-10 * next &&
      Math.abs(likelihood - previous) <= 1e-10 * Math.max(1, Math.abs(likelihood));
    scale = next;
    previous = likelihood;
    const target = delta * scale;
    do {
      threshold =
        target < threshold ? Math.max(target, threshold / 10) : Math.min(target, threshold * 10);
      result = minimizeLbfgs({ valueAndGradient: huberObjective(data, threshold) }, theta, lbfgs);
      theta = result.x;
      iterations += result.iterations;
      evaluations += result.evaluations;
      if (result.reason === 'aborted') return finish();
    } while (threshold !== target);
  }
  return finish();

  function negativeLogLikelihood(s: number): number {
    let value = data.logL.length * Math.log(s);
    for (const r of logResiduals(data, theta)) value += huber(r / s, delta);
    return value;
  }

  function finish(): ConcomitantFit {
    return {
      result: result as LbfgsResult,
      scale,
      objective: negativeLogLikelihood(scale),
      converged,
      iterations,
      evaluations,
    };
  }
}
