/**
 * A line search that returns a step satisfying the strong Wolfe conditions
 * (Nocedal & Wright, "Numerical Optimization", 2nd ed., Algorithms 3.5 and 3.6):
 *
 *   f(x + a·d) ≤ f(x) + c1·a·∇f(x)ᵀd           (sufficient decrease)
 *   |∇f(x + a·d)ᵀd| ≤ c2·|∇f(x)ᵀd|             (curvature)
 *
 * Bracketing by doubling, then zooming with safeguarded cubic interpolation. A step where the
 * function is NaN or infinite counts as too long, so objectives that leave their domain
 * (log of a negative number) shrink the step instead of poisoning the search.
 *
 * Near a minimum the decrease c1·a·∇fᵀd falls below the rounding error of f, and sufficient
 * decrease can no longer be verified from values. There the search also accepts the
 * approximate Wolfe condition of Hager & Zhang ("A new conjugate gradient method with
 * guaranteed descent and an efficient line search", 2005, eq. 4.1): f(x + a·d) ≤ f(x) + ε with ε
 * at the rounding level of f, and ∇f(x + a·d)ᵀd ≤ (2·c1 − 1)·∇f(x)ᵀd. This lets L-BFGS drive
 * the gradient orders of magnitude further down than value-only tests allow.
 */
import type { Evaluator } from '../objective.js';

/** How many units of rounding of f count as "no measurable change". */
const ROUNDING_ULPS = 16;

/** Constants of the line search. */
export interface WolfeOptions {
  readonly c1: number;
  readonly c2: number;
  readonly maxEvaluations: number;
}

/** A point evaluated along the search direction. */
interface Trial {
  step: number;
  value: number;
  slope: number;
  x: Float64Array;
  gradient: Float64Array;
}

/** The accepted step, or the best point that satisfied sufficient decrease. */
export interface LineSearchResult {
  readonly ok: boolean;
  readonly step: number;
  readonly value: number;
  readonly x: Float64Array;
  readonly gradient: Float64Array;
}

export function wolfeLineSearch(
  evaluator: Evaluator,
  x0: Float64Array,
  value0: number,
  slope0: number,
  direction: Float64Array,
  initialStep: number,
  options: WolfeOptions,
): LineSearchResult {
  const n = x0.length;
  const { c1, c2, maxEvaluations } = options;
  let evaluations = 0;

  const evaluateAt = (step: number): Trial => {
    evaluations++;
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = (x0[i] as number) + step * (direction[i] as number);
    const gradient = new Float64Array(n);
    const value = evaluator.evaluate(x, gradient);
    let slope = 0;
    for (let i = 0; i < n; i++) slope += (gradient[i] as number) * (direction[i] as number);
    return { step, value, slope, x, gradient };
  };
  const usable = (t: Trial): boolean => Number.isFinite(t.value) && Number.isFinite(t.slope);
  const roundingLevel = ROUNDING_ULPS * Number.EPSILON * Math.abs(value0);
  const armijo = (t: Trial): boolean =>
    usable(t) &&
    (t.value <= value0 + c1 * t.step * slope0 ||
      (t.value <= value0 + roundingLevel && t.slope <= (2 * c1 - 1) * slope0));
  const curvature = (t: Trial): boolean => Math.abs(t.slope) <= -c2 * slope0;
  const accept = (t: Trial): LineSearchResult => ({ ok: true, ...t });
  const origin: Trial = {
    step: 0,
    value: value0,
    slope: slope0,
    x: x0,
    gradient: new Float64Array(0),
  };

  const zoom = (low: Trial, high: Trial): LineSearchResult => {
    while (evaluations < maxEvaluations) {
      const trial = evaluateAt(interpolate(low, high));
      if (!armijo(trial) || trial.value >= low.value) {
        high = trial;
      } else {
        if (curvature(trial)) return accept(trial);
        if (trial.slope * (high.step - low.step) >= 0) high = low;
        low = trial;
      }
      if (Math.abs(high.step - low.step) <= 1e-16 * Math.max(1, low.step)) break;
    }
    // Out of budget: `low` always satisfies sufficient decrease; use it if it moved.
    return { ok: false, ...low };
  };

  let previous = origin;
  let step = initialStep;
  while (evaluations < maxEvaluations) {
    const trial = evaluateAt(step);
    if (!usable(trial)) {
      // Left the function's domain: treat as too long and search below it.
      return zoom(previous, { ...trial, value: Number.POSITIVE_INFINITY, slope: Number.NaN });
    }
    if (!armijo(trial) || (previous !== origin && trial.value >= previous.value)) {
      return zoom(previous, trial);
    }
    if (curvature(trial)) return accept(trial);
    if (trial.slope >= 0) return zoom(trial, previous);
    previous = trial;
    step *= 2;
  }
  return { ok: false, ...previous };
}

/**
 * The minimiser of the cubic through two trials (values and slopes), kept inside the middle
 * 80% of the interval; bisection when the cubic is unusable (e.g. an infinite endpoint).
 */
function interpolate(a: Trial, b: Trial): number {
  const low = Math.min(a.step, b.step);
  const high = Math.max(a.step, b.step);
  const width = high - low;
  const bisect = low + 0.5 * width;
  if (!Number.isFinite(a.value) || !Number.isFinite(b.value) || !Number.isFinite(b.slope)) {
    return bisect;
  }
  // Nocedal & Wright eq. (3.59).
  const d1 = a.slope + b.slope - (3 * (a.value - b.value)) / (a.step - b.step);
  const radicand = d1 * d1 - a.slope * b.slope;
  if (!(radicand >= 0)) return bisect;
  const d2 = Math.sign(b.step - a.step) * Math.sqrt(radicand);
  const candidate =
    b.step - (b.step - a.step) * ((b.slope + d2 - d1) / (b.slope - a.slope + 2 * d2));
  if (!Number.isFinite(candidate)) return bisect;
  return Math.min(Math.max(candidate, low + 0.1 * width), high - 0.1 * width);
}
