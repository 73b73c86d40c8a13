/**
 * Limited-memory BFGS (Nocedal, "Updating quasi-Newton matrices with limited storage", 1980;
 * Liu & Nocedal 1989), unconstrained, with the two-loop recursion, the γ = sᵀy / yᵀy initial
 * scaling and a strong-Wolfe line search (see `internal/wolfeLineSearch.ts`).
 *
 * Stops on the first of: gradient ∞-norm ≤ `gradientTolerance`; relative decrease of f ≤
 * `functionTolerance` (decreases within f's rounding error do not count: there only the gradient
 * is informative); step ∞-norm ≤ `stepTolerance`·(1 + ‖x‖∞); an iteration, evaluation or
 * line-search limit; an abort. The reason is always reported, so a fit that stopped early is
 * never mistaken for one that converged.
 */
import { describeValue } from './argumentChecks.js';
import { NumericError } from './errors.js';
import { check } from './internal/check.js';
import { wolfeLineSearch } from './internal/wolfeLineSearch.js';
import { evaluatorOf, type Objective } from './objective.js';

/** Why {@link minimizeLbfgs} stopped. @public */
export type LbfgsStopReason =
  /** ‖∇f‖∞ fell to `gradientTolerance`: a stationary point (converged). */
  | 'gradientTolerance'
  /** f stopped decreasing by more than `functionTolerance` relative (converged). */
  | 'functionTolerance'
  /** x stopped moving (converged, at the limit of the arithmetic). */
  | 'stepTolerance'
  /** `maxIterations` reached. */
  | 'maxIterations'
  /** `maxEvaluations` reached. */
  | 'maxEvaluations'
  /** No step along the search direction lowered f; often the floor of a noisy gradient. */
  | 'lineSearchFailed'
  /** `signal` was aborted; the best point so far is returned. */
  | 'aborted';

/** Progress of one L-BFGS iteration, passed to `onIteration`. @public */
export interface LbfgsIteration {
  readonly iteration: number;
  readonly value: number;
  readonly gradientNorm: number;
  readonly step: number;
  readonly evaluations: number;
}

/** Options of {@link minimizeLbfgs}. @public */
export interface LbfgsOptions {
  /** Correction pairs kept (m). @defaultValue 10 */
  readonly history?: number;
  /** Iteration limit. @defaultValue 1000 */
  readonly maxIterations?: number;
  /** Limit on evaluations of the objective (numerical gradients count 2n each). @defaultValue 100000 */
  readonly maxEvaluations?: number;
  /** Converged when ‖∇f‖∞ ≤ this. @defaultValue 1e-8 */
  readonly gradientTolerance?: number;
  /** Converged when (f_k − f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) ≤ this. @defaultValue 1e-14 */
  readonly functionTolerance?: number;
  /** Converged when ‖Δx‖∞ ≤ this · (1 + ‖x‖∞). @defaultValue 1e-15 */
  readonly stepTolerance?: number;
  /** Sufficient-decrease constant c1 of the Wolfe conditions. @defaultValue 1e-4 */
  readonly c1?: number;
  /** Curvature constant c2 of the Wolfe conditions (0.9 is standard for quasi-Newton). @defaultValue 0.9 */
  readonly c2?: number;
  /** Evaluations allowed per line search. @defaultValue 40 */
  readonly maxLineSearchEvaluations?: number;
  /** Called after every iteration. */
  readonly onIteration?: (progress: LbfgsIteration) => void;
  /** Stops the run at the next iteration; the result says `'aborted'`. */
  readonly signal?: AbortSignal;
}

/** The outcome of {@link minimizeLbfgs}. @public */
export interface LbfgsResult {
  /** The best point found. */
  readonly x: Float64Array;
  /** f(x). */
  readonly value: number;
  /** ∇f(x) (numerical when the objective gives no gradient). */
  readonly gradient: Float64Array;
  /** ‖∇f(x)‖∞, to judge how converged the point is. */
  readonly gradientNorm: number;
  readonly iterations: number;
  readonly evaluations: number;
  /** True when the stop reason is a tolerance, not a limit or a failure. */
  readonly converged: boolean;
  readonly reason: LbfgsStopReason;
}

/** Changes of f below this many units of rounding are noise. */
const ROUNDING = 16 * Number.EPSILON;

const CONVERGED_REASONS: ReadonlySet<LbfgsStopReason> = new Set([
  'gradientTolerance',
  'functionTolerance',
  'stepTolerance',
]);

/**
 * Minimises a smooth function of n variables from `x0` by L-BFGS.
 *
 * @example
 * ```ts
 * // Rosenbrock's function, minimum at (1, 1).
 * const result = minimizeLbfgs({
 *   valueAndGradient: ([x, y], g) => {
 *     g[0] = -2 * (1 - x) - 400 * x * (y - x * x);
 *     g[1] = 200 * (y - x * x);
 *     return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
 *   },
 * }, [-1.2, 1]);
 * result.x; // Float64Array [1, 1] (to ~1e-9)
 * ```
 * @throws NumericError `NON_FINITE` when `x0` or f/∇f at `x0` is not finite;
 * `INVALID_ARGUMENT` on bad options.
 * @public
 */
export function minimizeLbfgs(
  objective: Objective,
  x0: ArrayLike<number>,
  options: LbfgsOptions = {},
): LbfgsResult {
  const fn = 'minimizeLbfgs';
  const start = check.finiteArray(fn, 'x0', x0, 1);
  const history = check.integer(fn, 'options.history', options.history ?? 10, { min: 1 });
  const maxIterations = check.integer(fn, 'options.maxIterations', options.maxIterations ?? 1000, {
    min: 0,
  });
  const maxEvaluations = check.integer(
    fn,
    'options.maxEvaluations',
    options.maxEvaluations ?? 100_000,
    { min: 1 },
  );
  const gradientTolerance = check.nonNegative(
    fn,
    'options.gradientTolerance',
    options.gradientTolerance ?? 1e-8,
  );
  const functionTolerance = check.nonNegative(
    fn,
    'options.functionTolerance',
    options.functionTolerance ?? 1e-14,
  );
  const stepTolerance = check.nonNegative(
    fn,
    'options.stepTolerance',
    options.stepTolerance ?? 1e-15,
  );
  const c1 = check.finite(fn, 'options.c1', options.c1 ?? 1e-4);
  const c2 = check.finite(fn, 'options.c2', options.c2 ?? 0.9);
  if (!(c1 > 0 && c1 < c2 && c2 < 1)) {
    throw new NumericError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'options.c1, options.c2',
      detail: `expected 0 < c1 < c2 < 1, received c1 = ${c1}, c2 = ${c2}. The usual values are 1e-4 and 0.9.`,
    });
  }
  const lineSearch = {
    c1,
    c2,
    maxEvaluations: check.integer(
      fn,
      'options.maxLineSearchEvaluations',
      options.maxLineSearchEvaluations ?? 40,
      { min: 1 },
    ),
  };

  const evaluator = evaluatorOf(objective, fn);
  const n = start.length;
  let x: Float64Array = Float64Array.from(start);
  let gradient: Float64Array = new Float64Array(n);
  let value = evaluator.evaluate(x, gradient);
  if (!Number.isFinite(value) || !gradient.every(Number.isFinite)) {
    const bad = Number.isFinite(value)
      ? 'its gradient has a non-finite entry'
      : `f(x0) = ${describeValue(value)}`;
    throw new NumericError({
      code: 'NON_FINITE',
      fn,
      argument: 'x0',
      detail: `${bad}. Start from a point where the objective and its gradient are finite.`,
    });
  }

  const sHistory: Float64Array[] = [];
  const yHistory: Float64Array[] = [];
  const rhoHistory: number[] = [];
  const alpha = new Float64Array(history);
  const direction = new Float64Array(n);
  let iterations = 0;
  let reason: LbfgsStopReason | undefined;

  while (reason === undefined) {
    if (normInf(gradient) <= gradientTolerance) {
      reason = 'gradientTolerance';
      break;
    }
    if (iterations >= maxIterations) {
      reason = 'maxIterations';
      break;
    }
    if (evaluator.evaluations >= maxEvaluations) {
      reason = 'maxEvaluations';
      break;
    }
    if (options.signal?.aborted) {
      reason = 'aborted';
      break;
    }

    // Two-loop recursion: direction = −H·∇f.
    for (let i = 0; i < n; i++) direction[i] = -(gradient[i] as number);
    const k = sHistory.length;
    for (let j = k - 1; j >= 0; j--) {
      const a = (rhoHistory[j] as number) * dot(sHistory[j] as Float64Array, direction);
      alpha[j] = a;
      axpy(-a, yHistory[j] as Float64Array, direction);
    }
    if (k > 0) {
      const s = sHistory[k - 1] as Float64Array;
      const y = yHistory[k - 1] as Float64Array;
      scale(dot(s, y) / dot(y, y), direction);
    }
    for (let j = 0; j < k; j++) {
      const b = (rhoHistory[j] as number) * dot(yHistory[j] as Float64Array, direction);
      axpy((alpha[j] as number) - b, sHistory[j] as Float64Array, direction);
    }
    let slope = dot(gradient, direction);
    if (!(slope < 0)) {
      // Not a descent direction (curvature information went stale): restart from −∇f.
      sHistory.length = 0;
      yHistory.length = 0;
      rhoHistory.length = 0;
      for (let i = 0; i < n; i++) direction[i] = -(gradient[i] as number);
      slope = dot(gradient, direction);
    }
    const initialStep = k === 0 ? Math.min(1, 1 / Math.sqrt(dot(gradient, gradient))) : 1;

    const found = wolfeLineSearch(evaluator, x, value, slope, direction, initialStep, lineSearch);
    // The line search only returns points of sufficient (or rounding-level) decrease.
    if (found.step === 0) {
      reason = 'lineSearchFailed';
      break;
    }
    iterations++;
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = (found.x[i] as number) - (x[i] as number);
      y[i] = (found.gradient[i] as number) - (gradient[i] as number);
    }
    const previousValue = value;
    x = found.x;
    gradient = found.gradient;
    value = found.value;
    const sy = dot(s, y);
    if (sy > Number.EPSILON * dot(y, y)) {
      if (sHistory.length === history) {
        sHistory.shift();
        yHistory.shift();
        rhoHistory.shift();
      }
      sHistory.push(s);
      yHistory.push(y);
      rhoHistory.push(1 / sy);
    }
    options.onIteration?.({
      iteration: iterations,
      value,
      gradientNorm: normInf(gradient),
      step: found.step,
      evaluations: evaluator.evaluations,
    });
    // A decrease within rounding says nothing about convergence; the gradient decides then.
    const decrease = previousValue - value;
    const scaleOfF = Math.max(Math.abs(previousValue), Math.abs(value), 1);
    if (normInf(gradient) <= gradientTolerance) reason = 'gradientTolerance';
    else if (decrease > ROUNDING * scaleOfF && decrease <= functionTolerance * scaleOfF) {
      reason = 'functionTolerance';
    } else if (normInf(s) <= stepTolerance * (1 + normInf(x))) reason = 'stepTolerance';
  }

  return {
    x,
    value,
    gradient,
    gradientNorm: normInf(gradient),
    iterations,
    evaluations: evaluator.evaluations,
    converged: CONVERGED_REASONS.has(reason),
    reason,
  };
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] = (y[i] as number) + a * (x[i] as number);
}

function scale(a: number, x: Float64Array): void {
  for (let i = 0; i < x.length; i++) x[i] = a * (x[i] as number);
}

function normInf(x: Float64Array): number {
  let max = 0;
  for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i] as number));
  return max;
}
