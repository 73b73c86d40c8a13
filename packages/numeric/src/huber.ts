/**
 * The Huber loss, quadratic near zero and linear in the tails, as `scipy.special.huber(delta, r)`:
 * ½r² for |r| ≤ δ, δ(|r| − ½δ) beyond. Hoffmann et al. (2022) fit Chinchilla's law with
 * δ = 1e-3 on log-loss residuals; Besiroglu et al. (2024, arXiv:2404.10102) replicate it.
 */
import { check } from './internal/check.js';

/**
 * Huber loss of a residual.
 * @param residual - prediction − target (any finite number).
 * @param delta - the switch point between the quadratic and linear parts, > 0.
 * @public
 */
export function huber(residual: number, delta: number): number {
  check.finite('huber', 'residual', residual);
  check.positive('huber', 'delta', delta);
  const a = Math.abs(residual);
  return a <= delta ? 0.5 * residual * residual : delta * (a - 0.5 * delta);
}

/**
 * d huber(r, δ) / dr: r inside [−δ, δ], δ·sign(r) outside.
 * @public
 */
export function huberGradient(residual: number, delta: number): number {
  check.finite('huberGradient', 'residual', residual);
  check.positive('huberGradient', 'delta', delta);
  if (residual > delta) return delta;
  if (residual < -delta) return -delta;
  return residual;
}
