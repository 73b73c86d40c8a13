/**
 * Maximum likelihood under a Huber error distribution with a fitted scale s (Huber 1981,
 * "Robust Statistics", §7.7; Owen 2007): minimise Σ huber_δ(rᵢ/s) + n·log s over θ and s jointly.
 * Besiroglu et al. (2024, arXiv:2404.10102) report this estimate in their Table 1 (their
 * notebook's `objective` with σ = log s). Its optimum in θ for a given s is the Huber fit with
 * threshold δ·s, since s²·huber_δ(r/s) = huber_{δs}(r); its optimum in s for a given θ solves
 * n·s = Σ ψ_δ(rᵢ/s)·rᵢ (ψ = huber′), a contraction for δ < 1.
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
  /** Whether s stopped changing (relative 1e-10) within the alternation limit. */
  readonly scaleConverged: boolean;
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
  let s = delta * meanAbs; // exact when every |rᵢ|/s > δ
  for (let k = 0; k < 1000; k++) {
    let sum = 0;
    for (const r of residuals) sum += huberGradient(r / s, delta) * r;
    const next = sum / n;
    if (Math.abs(next - s) <= 1e-15 * s) return next;
    s = next;
  }
  return s;
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
  let scaleConverged = false;
  for (let round = 0; round < MAX_ALTERNATIONS && !scaleConverged; round++) {
    const next = huberScale(logResiduals(data, theta), delta, fn);
    scaleConverged = Math.abs(next - scale) <= 1e-10 * next;
    scale = next;
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

  function finish(): ConcomitantFit {
    let objective = data.logL.length * Math.log(scale);
    for (const r of logResiduals(data, theta)) objective += huber(r / scale, delta);
    return {
      result: result as LbfgsResult,
      scale,
      objective,
      scaleConverged,
      iterations,
      evaluations,
    };
  }
}
