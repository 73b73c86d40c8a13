/**
 * Weighted logistic regression with L1 and/or L2 penalties, fitted by (proximal) Newton's
 * method — the IRLS of McCullagh & Nelder with, for L1, coordinate descent on each quadratic
 * model as glmnet does (Friedman, Hastie & Tibshirani 2010) and the sufficient-decrease line
 * search of proximal Newton methods (Lee, Sun & Saunders 2014).
 *
 * It minimises
 *   Σᵢ wᵢ [log(1 + e^ηᵢ) − yᵢηᵢ] + (l2/2) Σⱼ fⱼβⱼ² + l1 Σⱼ fⱼ|βⱼ|,   ηᵢ = b + xᵢᵀβ,
 * with targets yᵢ in [0, 1] (fractions allowed: a tie is y = ½), sample weights wᵢ ≥ 0, penalty
 * factors fⱼ ≥ 0 per coefficient (0 leaves a coefficient unpenalised) and an unpenalised
 * intercept b. scikit-learn's `C` corresponds to l2 = 1/C (penalty='l2') or l1 = 1/C
 * (penalty='l1').
 *
 * Dense features only: the Hessian costs n·p² per iteration, fine up to a few hundred features.
 */
import { describeValue } from './argumentChecks.js';
import { NumericError } from './errors.js';
import { check } from './internal/check.js';
import { choleskySolve } from './internal/choleskySolve.js';
import { log1pExp, sigmoid } from './log1pExp.js';

/** Options of {@link fitLogisticRegression}. @public */
export interface LogisticRegressionOptions {
  /** Per-row weights wᵢ ≥ 0 (e.g. counts of identical rows). @defaultValue all 1 */
  readonly sampleWeights?: ArrayLike<number>;
  /** L2 strength (ridge). @defaultValue 0 */
  readonly l2?: number;
  /** L1 strength (lasso). @defaultValue 0 */
  readonly l1?: number;
  /** Multipliers fⱼ ≥ 0 of both penalties per feature. @defaultValue all 1 */
  readonly penaltyFactors?: ArrayLike<number>;
  /** Fit an unpenalised intercept. @defaultValue true */
  readonly fitIntercept?: boolean;
  /** Newton iterations. @defaultValue 100 */
  readonly maxIterations?: number;
  /**
   * Converged when the optimality violation (the ∞-norm of the gradient, or of the minimum-norm
   * subgradient under L1) divided by Σwᵢ is at most this. @defaultValue 1e-10
   */
  readonly tolerance?: number;
}

/** Why {@link fitLogisticRegression} stopped. @public */
export type LogisticRegressionStopReason =
  /** The optimality violation fell below the tolerance. */
  | 'converged'
  /** No step lowered the objective further (the arithmetic's floor). */
  | 'stalled'
  /** `maxIterations` reached; unpenalised separable data ends here (coefficients diverge). */
  | 'maxIterations';

/** A fitted logistic regression. @public */
export interface LogisticRegressionResult {
  /** β, one per feature. */
  readonly coefficients: Float64Array;
  /** b (0 when `fitIntercept` is false). */
  readonly intercept: number;
  /** The penalised objective at the solution. */
  readonly objective: number;
  /** ∞-norm of the (sub)gradient's optimality violation, unscaled. */
  readonly gradientNorm: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly reason: LogisticRegressionStopReason;
}

const FN = 'fitLogisticRegression';

/**
 * Fits weighted, optionally L1/L2-penalised logistic regression by Newton's method.
 *
 * @param features - n rows of p finite numbers.
 * @param targets - n values in [0, 1].
 * @example
 * ```ts
 * // P(y | x = 0) = 1/2 and P(y | x = 1) = 2/3, so b = logit(1/2) and β = logit(2/3) − b.
 * const fit = fitLogisticRegression([[0], [0], [1], [1], [1]], [0, 1, 1, 1, 0]);
 * fit.intercept; // 0
 * fit.coefficients[0]; // 0.6931… = ln 2
 * ```
 * @public
 */
export function fitLogisticRegression(
  features: readonly ArrayLike<number>[],
  targets: ArrayLike<number>,
  options: LogisticRegressionOptions = {},
): LogisticRegressionResult {
  // Arrange: validate and lay out X as a dense row-major matrix with the intercept column first.
  if (!Array.isArray(features) || features.length === 0) {
    throw new NumericError({
      code: 'EMPTY_INPUT',
      fn: FN,
      argument: 'features',
      detail: `expected a non-empty array of feature rows, received ${describeValue(features)}.`,
    });
  }
  const n = features.length;
  const y = check.finiteArray(FN, 'targets', targets, 1);
  check.sameLength(FN, 'features', n, 'targets', y.length);
  for (let i = 0; i < n; i++) check.probability(FN, `targets[${i}]`, y[i]);
  const rawWidth = check.finiteArray(FN, 'features[0]', features[0], 0).length;
  const fitIntercept = options.fitIntercept ?? true;
  const offset = fitIntercept ? 1 : 0;
  const p = rawWidth + offset;
  if (p === 0) {
    throw new NumericError({
      code: 'INVALID_ARGUMENT',
      fn: FN,
      argument: 'features',
      detail: 'rows have no features and fitIntercept is false, so there is nothing to fit.',
    });
  }
  const x = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    const row = check.finiteArray(FN, `features[${i}]`, features[i], 0);
    check.sameLength(FN, 'features[0]', rawWidth, `features[${i}]`, row.length);
    if (fitIntercept) x[i * p] = 1;
    for (let j = 0; j < rawWidth; j++) x[i * p + offset + j] = row[j] as number;
  }
  const w = new Float64Array(n).fill(1);
  if (options.sampleWeights !== undefined) {
    const given = check.finiteArray(FN, 'options.sampleWeights', options.sampleWeights, 0);
    check.sameLength(FN, 'features', n, 'options.sampleWeights', given.length);
    for (let i = 0; i < n; i++)
      w[i] = check.nonNegative(FN, `options.sampleWeights[${i}]`, given[i]);
  }
  const totalWeight = w.reduce((a, b) => a + b, 0);
  if (totalWeight === 0) {
    throw new NumericError({
      code: 'INVALID_ARGUMENT',
      fn: FN,
      argument: 'options.sampleWeights',
      detail: 'all sample weights are 0, so there is no data to fit.',
    });
  }
  const l2 = check.nonNegative(FN, 'options.l2', options.l2 ?? 0);
  const l1 = check.nonNegative(FN, 'options.l1', options.l1 ?? 0);
  const factors = new Float64Array(p).fill(1);
  if (fitIntercept) factors[0] = 0;
  if (options.penaltyFactors !== undefined) {
    const given = check.finiteArray(FN, 'options.penaltyFactors', options.penaltyFactors, 0);
    check.sameLength(FN, 'features[0]', rawWidth, 'options.penaltyFactors', given.length);
    for (let j = 0; j < rawWidth; j++) {
      factors[offset + j] = check.nonNegative(FN, `options.penaltyFactors[${j}]`, given[j]);
    }
  }
  const maxIterations = check.integer(FN, 'options.maxIterations', options.maxIterations ?? 100, {
    min: 1,
  });
  const tolerance = check.nonNegative(FN, 'options.tolerance', options.tolerance ?? 1e-10);

  // Act: proximal Newton iterations.
  const objectiveAt = (theta: Float64Array): number => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const wi = w[i] as number;
      if (wi === 0) continue;
      const eta = linear(x, theta, i, p);
      total += wi * (log1pExp(eta) - (y[i] as number) * eta);
    }
    for (let j = 0; j < p; j++) {
      const b = theta[j] as number;
      const f = factors[j] as number;
      total += f * (0.5 * l2 * b * b + l1 * Math.abs(b));
    }
    return total;
  };

  let theta: Float64Array = new Float64Array(p);
  let objective = objectiveAt(theta);
  const gradient = new Float64Array(p);
  const hessian = new Float64Array(p * p);
  let iterations = 0;
  let violation = Number.POSITIVE_INFINITY;
  let roundingStep = false;
  let reason: LogisticRegressionStopReason = 'maxIterations';

  for (;;) {
    // Gradient and Hessian of the smooth part (loss + L2).
    gradient.fill(0);
    hessian.fill(0);
    for (let i = 0; i < n; i++) {
      const wi = w[i] as number;
      if (wi === 0) continue;
      const prob = sigmoid(linear(x, theta, i, p));
      const r = wi * (prob - (y[i] as number));
      const h = wi * prob * (1 - prob);
      const base = i * p;
      for (let j = 0; j < p; j++) {
        const xij = x[base + j] as number;
        if (xij === 0) continue;
        gradient[j] = (gradient[j] as number) + r * xij;
        const hx = h * xij;
        for (let k = 0; k <= j; k++)
          hessian[j * p + k] = (hessian[j * p + k] as number) + hx * (x[base + k] as number);
      }
    }
    for (let j = 0; j < p; j++) {
      for (let k = 0; k < j; k++) hessian[k * p + j] = hessian[j * p + k] as number;
      const ridge = l2 * (factors[j] as number);
      gradient[j] = (gradient[j] as number) + ridge * (theta[j] as number);
      hessian[j * p + j] = (hessian[j * p + j] as number) + ridge;
    }
    const previousViolation = violation;
    violation = optimalityViolation(theta, gradient, factors, l1);
    if (violation <= tolerance * totalWeight) {
      reason = 'converged';
      break;
    }
    if (roundingStep && violation >= previousViolation) {
      // The objective can no longer tell steps apart and the gradient stopped improving.
      reason = 'stalled';
      break;
    }
    if (iterations >= maxIterations) {
      reason = 'maxIterations';
      break;
    }
    iterations++;

    const direction =
      l1 === 0
        ? newtonDirection(hessian, gradient, p)
        : proximalDirection(hessian, gradient, theta, factors, l1, p);
    // Predicted decrease Δ = gᵀd + l1·(‖θ + d‖₁ − ‖θ‖₁) (weighted by the factors); Δ < 0.
    let predicted = 0;
    for (let j = 0; j < p; j++) {
      const t = theta[j] as number;
      const d = direction[j] as number;
      predicted +=
        (gradient[j] as number) * d + l1 * (factors[j] as number) * (Math.abs(t + d) - Math.abs(t));
    }
    // Backtrack until sufficient decrease; near the optimum the decrease drops below the
    // rounding error of the objective, and the full Newton step is then taken on trust (the
    // optimality violation above decides whether it helped).
    const roundingLevel = 16 * Number.EPSILON * Math.abs(objective);
    let step = 1;
    let accepted: Float64Array | undefined;
    let acceptedObjective = objective;
    roundingStep = false;
    for (let tries = 0; tries < 60; tries++) {
      const candidate = new Float64Array(p);
      for (let j = 0; j < p; j++)
        candidate[j] = (theta[j] as number) + step * (direction[j] as number);
      const value = objectiveAt(candidate);
      const sufficient =
        value < objective && value <= objective + 1e-4 * step * Math.min(predicted, 0);
      if (sufficient || (step === 1 && value <= objective + roundingLevel)) {
        roundingStep = !sufficient;
        accepted = candidate;
        acceptedObjective = value;
        break;
      }
      step *= 0.5;
    }
    if (accepted === undefined) {
      reason = 'stalled';
      break;
    }
    theta = accepted;
    objective = acceptedObjective;
  }

  return {
    coefficients: theta.slice(offset),
    intercept: fitIntercept ? (theta[0] as number) : 0,
    objective,
    gradientNorm: violation,
    iterations,
    converged: reason === 'converged',
    reason,
  };
}

function linear(x: Float64Array, theta: Float64Array, row: number, p: number): number {
  let eta = 0;
  const base = row * p;
  for (let j = 0; j < p; j++) eta += (x[base + j] as number) * (theta[j] as number);
  return eta;
}

/** −H⁻¹g, with Levenberg damping when H is singular (e.g. unpenalised separable data). */
function newtonDirection(hessian: Float64Array, gradient: Float64Array, p: number): Float64Array {
  const rhs = gradient.map((g) => -g);
  let scale = 0;
  for (let j = 0; j < p; j++) scale = Math.max(scale, hessian[j * p + j] as number);
  let damping = 0;
  for (;;) {
    const damped = hessian.slice();
    for (let j = 0; j < p; j++) damped[j * p + j] = (damped[j * p + j] as number) + damping;
    const solution = choleskySolve(damped, rhs, p);
    if (solution?.every(Number.isFinite)) return solution;
    damping = damping === 0 ? Math.max(scale, 1) * 1e-12 : damping * 100;
  }
}

/**
 * argmin_d gᵀd + ½dᵀHd + l1·Σ fⱼ|θⱼ + dⱼ| by cyclic coordinate descent (soft-thresholding).
 */
function proximalDirection(
  hessian: Float64Array,
  gradient: Float64Array,
  theta: Float64Array,
  factors: Float64Array,
  l1: number,
  p: number,
): Float64Array {
  const d = new Float64Array(p);
  const hd = new Float64Array(p);
  for (let sweep = 0; sweep < 200; sweep++) {
    let largest = 0;
    for (let j = 0; j < p; j++) {
      const a = Math.max(hessian[j * p + j] as number, 1e-12);
      const dj = d[j] as number;
      const b = (gradient[j] as number) + (hd[j] as number) - a * dj;
      const t = theta[j] as number;
      const threshold = (l1 * (factors[j] as number)) / a;
      const target = t - b / a;
      const u = Math.sign(target) * Math.max(Math.abs(target) - threshold, 0);
      const change = u - t - dj;
      if (change !== 0) {
        d[j] = dj + change;
        for (let k = 0; k < p; k++)
          hd[k] = (hd[k] as number) + change * (hessian[k * p + j] as number);
        largest = Math.max(largest, Math.abs(change));
      }
    }
    if (largest <= 1e-13 * (1 + Math.abs(theta.reduce((m, v) => Math.max(m, Math.abs(v)), 0))))
      break;
  }
  return d;
}

/** ∞-norm of the minimum-norm subgradient: zero exactly at the optimum. */
function optimalityViolation(
  theta: Float64Array,
  gradient: Float64Array,
  factors: Float64Array,
  l1: number,
): number {
  let worst = 0;
  for (let j = 0; j < theta.length; j++) {
    const g = gradient[j] as number;
    const lambda = l1 * (factors[j] as number);
    const t = theta[j] as number;
    const v =
      lambda === 0
        ? Math.abs(g)
        : t !== 0
          ? Math.abs(g + lambda * Math.sign(t))
          : Math.max(Math.abs(g) - lambda, 0);
    worst = Math.max(worst, v);
  }
  return worst;
}
