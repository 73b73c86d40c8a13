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
  if (!isPlainCase(residual, delta)) checkArguments('huber', residual, delta);
  const a = Math.abs(residual);
  return a <= delta ? 0.5 * residual * residual : delta * (a - 0.5 * delta);
}

/**
 * d huber(r, δ) / dr: r inside [−δ, δ], δ·sign(r) outside.
 * @public
 */
export function huberGradient(residual: number, delta: number): number {
  if (!isPlainCase(residual, delta)) checkArguments('huberGradient', residual, delta);
  if (residual > delta) return delta;
  if (residual < -delta) return -delta;
  return residual;
}

/**
 * True for a finite residual and a finite δ > 0, the case that needs no checks. Fits call both
 * functions per point per evaluation; keeping the checks out of that path lets them run at the
 * speed of the arithmetic under every module loader.
 */
function isPlainCase(residual: unknown, delta: unknown): boolean {
  return (
    typeof residual === 'number' &&
    typeof delta === 'number' &&
    residual - residual === 0 &&
    delta > 0 &&
    delta < Infinity
  );
}

/** Throws the boundary error for a bad residual or δ. */
function checkArguments(fn: string, residual: unknown, delta: unknown): void {
  check.finite(fn, 'residual', residual);
  check.positive(fn, 'delta', delta);
}
