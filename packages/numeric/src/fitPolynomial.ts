/**
 * Least-squares polynomial fit, as `numpy.polyfit(x, y, degree, w=…)` computes it but with the
 * coefficients lowest power first. x is centred and scaled before the normal equations are
 * solved (Cholesky), which keeps low degrees accurate even for x like log(N) ≈ 20; the
 * coefficients are then expanded back to powers of x.
 */
import { NumericError } from './errors.js';
import { check } from './internal/check.js';
import { choleskySolve } from './internal/choleskySolve.js';

/** Options of {@link fitPolynomial}. @public */
export interface FitPolynomialOptions {
  /** Non-negative weight of each squared residual (numpy's `w` squared). @defaultValue all 1 */
  readonly weights?: ArrayLike<number>;
}

/** The outcome of {@link fitPolynomial}. @public */
export interface PolynomialFit {
  /** c₀, c₁, …, c_degree of y ≈ Σ cₖ·xᵏ (numpy.polyfit's order reversed). */
  readonly coefficients: Float64Array;
  /** Σ wᵢ (yᵢ − ŷᵢ)². */
  readonly residualSumOfSquares: number;
}

/**
 * Fits y ≈ c₀ + c₁x + … + c_d·x^d by (weighted) least squares.
 *
 * @example
 * ```ts
 * fitPolynomial([0, 1, 2, 3], [1, 3, 7, 13], 2).coefficients; // Float64Array [1, 1, 1]
 * ```
 * @throws NumericError on non-finite input, mismatched lengths, fewer than degree + 1 distinct
 * x values, or negative weights.
 * @public
 */
export function fitPolynomial(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  degree: number,
  options: FitPolynomialOptions = {},
): PolynomialFit {
  const fn = 'fitPolynomial';
  const d = check.integer(fn, 'degree', degree, { min: 0, max: 20 });
  const xs = check.finiteArray(fn, 'x', x, d + 1);
  const ys = check.finiteArray(fn, 'y', y);
  check.sameLength(fn, 'x', xs.length, 'y', ys.length);
  const n = xs.length;
  const w =
    options.weights === undefined
      ? undefined
      : check.finiteArray(fn, 'options.weights', options.weights);
  if (w !== undefined) {
    check.sameLength(fn, 'x', n, 'options.weights', w.length);
    for (let i = 0; i < n; i++) check.nonNegative(fn, `options.weights[${i}]`, w[i]);
  }
  const p = d + 1;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    min = Math.min(min, xs[i] as number);
    max = Math.max(max, xs[i] as number);
  }
  const centre = (min + max) / 2;
  const halfRange = (max - min) / 2 || 1;
  // Normal equations in t = (x − centre) / halfRange, t ∈ [−1, 1].
  const gram = new Float64Array(p * p);
  const rhs = new Float64Array(p);
  const powers = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    const wi = w === undefined ? 1 : (w[i] as number);
    if (wi === 0) continue;
    const t = ((xs[i] as number) - centre) / halfRange;
    powers[0] = 1;
    for (let k = 1; k < p; k++) powers[k] = (powers[k - 1] as number) * t;
    for (let j = 0; j < p; j++) {
      rhs[j] = (rhs[j] as number) + wi * (powers[j] as number) * (ys[i] as number);
      for (let k = 0; k <= j; k++) {
        gram[j * p + k] =
          (gram[j * p + k] as number) + wi * (powers[j] as number) * (powers[k] as number);
      }
    }
  }
  for (let j = 0; j < p; j++)
    for (let k = j + 1; k < p; k++) gram[j * p + k] = gram[k * p + j] as number;
  const inT = choleskySolve(gram, rhs, p);
  if (inT === undefined) {
    throw new NumericError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'x',
      detail: `a degree-${d} fit needs at least ${p} distinct x values with positive weight; the system is singular.`,
    });
  }
  // Expand Σ bₖ ((x − c)/h)ᵏ into powers of x.
  const coefficients = new Float64Array(p);
  for (let k = 0; k < p; k++) {
    const bk = (inT[k] as number) / halfRange ** k;
    let binomial = 1; // C(k, j)
    for (let j = 0; j <= k; j++) {
      coefficients[j] = (coefficients[j] as number) + bk * binomial * (-centre) ** (k - j);
      binomial = (binomial * (k - j)) / (j + 1);
    }
  }
  let residualSumOfSquares = 0;
  for (let i = 0; i < n; i++) {
    const t = ((xs[i] as number) - centre) / halfRange;
    let fitted = 0;
    for (let k = p - 1; k >= 0; k--) fitted = fitted * t + (inT[k] as number);
    const r = (ys[i] as number) - fitted;
    residualSumOfSquares += (w === undefined ? 1 : (w[i] as number)) * r * r;
  }
  return { coefficients, residualSumOfSquares };
}
