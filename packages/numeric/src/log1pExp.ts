/**
 * Softplus and the logistic function in float64, accurate over the whole real line.
 *
 * Uses the branch points of Mächler, "Accurately Computing log(1 − exp(−|a|))" (2012, eq. 10):
 * log(1 + eˣ) = eˣ for x ≤ −37, log1p(eˣ) for x ≤ 18, x + e⁻ˣ for x ≤ 33.3, and x beyond.
 */
import { rejectNaN } from './internal/rejectNaN.js';

/**
 * log(1 + exp(x)) (softplus), with no overflow for large x and no loss of precision for
 * very negative x.
 * @example
 * ```ts
 * log1pExp(800); // 800 (the naive form gives Infinity)
 * log1pExp(-800); // 0 (exactly e^-800 underflows, which is correct to double precision)
 * ```
 * @throws NumericError `NON_FINITE` when `x` is NaN.
 * @public
 */
export function log1pExp(x: number): number {
  if (typeof x !== 'number' || Number.isNaN(x)) rejectNaN('log1pExp', 'x', x);
  if (x <= -37) return Math.exp(x);
  if (x <= 18) return Math.log1p(Math.exp(x));
  if (x <= 33.3) return x + Math.exp(-x);
  return x;
}

/**
 * log σ(x) = −log(1 + e⁻ˣ), the log-likelihood of a logistic win; finite for every finite x.
 * @throws NumericError `NON_FINITE` when `x` is NaN.
 * @public
 */
export function logSigmoid(x: number): number {
  if (typeof x !== 'number' || Number.isNaN(x)) rejectNaN('logSigmoid', 'x', x);
  return -log1pExp(-x);
}

/**
 * σ(x) = 1 / (1 + e⁻ˣ), computed without overflow on either side.
 * @throws NumericError `NON_FINITE` when `x` is NaN.
 * @public
 */
export function sigmoid(x: number): number {
  if (typeof x !== 'number' || Number.isNaN(x)) rejectNaN('sigmoid', 'x', x);
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}
