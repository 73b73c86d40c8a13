/**
 * Dense symmetric positive-definite solves by Cholesky factorisation (A = L·Lᵀ, then forward and
 * back substitution; Golub & Van Loan, "Matrix Computations", 4th ed., Alg. 4.2.1). The normal
 * equations of `fitPolynomial` and the Newton steps of `fitLogisticRegression` use the same
 * routine; it is public for Newton solvers in other packages.
 */
import { NumericError } from './errors.js';
import { check } from './internal/check.js';
import { choleskySolve as solve } from './internal/choleskySolve.js';

/**
 * Solves A·x = b for a symmetric positive-definite p×p matrix A given row-major (only the lower
 * triangle is read). Costs p³/3 multiply-adds.
 *
 * @param matrix - p·p finite numbers, row-major.
 * @param rhs - p finite numbers.
 * @returns x, or `undefined` when A is not numerically positive definite (a pivot ≤ 0), so the
 * caller can add damping (A + λI) and retry.
 * @example
 * ```ts
 * choleskySolve([4, 2, 2, 3], [2, 1]); // Float64Array [0.5, 0]
 * choleskySolve([1, 2, 2, 1], [1, 1]); // undefined: indefinite
 * ```
 * @throws NumericError on non-finite entries or when `matrix` is not `rhs.length`² long.
 * @public
 */
export function choleskySolve(
  matrix: ArrayLike<number>,
  rhs: ArrayLike<number>,
): Float64Array | undefined {
  const fn = 'choleskySolve';
  const b = check.finiteArray(fn, 'rhs', rhs, 1);
  const p = b.length;
  const a = check.finiteArray(fn, 'matrix', matrix, 1);
  if (a.length !== p * p) {
    throw new NumericError({
      code: 'SHAPE_MISMATCH',
      fn,
      argument: 'matrix',
      detail: `expected ${p}·${p} = ${p * p} entries (row-major) for a right-hand side of length ${p}, received ${a.length}.`,
    });
  }
  return solve(Float64Array.from(a), Float64Array.from(b), p);
}
