/**
 * How a function to minimise is given to the optimisers: value only (the gradient then comes
 * from central differences), or value and gradient together.
 */
import { describeValue } from './argumentChecks.js';
import { NumericError } from './errors.js';

/** f(x) for x in ℝⁿ. Must not modify `x`. @public */
export type ObjectiveFunction = (x: Float64Array) => number;

/** f(x), writing ∇f(x) into `gradient` (length n). Must not modify `x`. @public */
export type ValueAndGradientFunction = (x: Float64Array, gradient: Float64Array) => number;

/**
 * A function to minimise. A bare function or `{value}` is differentiated numerically
 * (central differences, 2n extra evaluations per gradient); `{valueAndGradient}` is exact and
 * much cheaper.
 * @public
 */
export type Objective =
  | ObjectiveFunction
  | { readonly value: ObjectiveFunction }
  | { readonly valueAndGradient: ValueAndGradientFunction };

/** An objective reduced to one evaluation routine that counts its calls. */
export interface Evaluator {
  /** f(x) and ∇f(x) into `gradient`; NaN or ±Infinity are returned as they are. */
  evaluate(x: Float64Array, gradient: Float64Array): number;
  /** Function evaluations so far (each numerical gradient costs 2n). */
  readonly evaluations: number;
}

const CUBE_ROOT_EPSILON = Math.cbrt(Number.EPSILON);

/** Wraps an objective; bare functions get a central-difference gradient. */
export function evaluatorOf(objective: Objective, fn: string): Evaluator {
  let evaluations = 0;
  if (typeof objective === 'object' && objective !== null && 'valueAndGradient' in objective) {
    const valueAndGradient = objective.valueAndGradient;
    if (typeof valueAndGradient !== 'function') throw badObjective(fn, objective);
    return {
      evaluate(x, gradient) {
        evaluations++;
        return valueAndGradient(x, gradient);
      },
      get evaluations() {
        return evaluations;
      },
    };
  }
  const value =
    typeof objective === 'function'
      ? objective
      : typeof objective === 'object' && objective !== null && 'value' in objective
        ? objective.value
        : undefined;
  if (typeof value !== 'function') throw badObjective(fn, objective);
  return {
    evaluate(x, gradient) {
      evaluations++;
      const f = value(x);
      if (!Number.isFinite(f)) return f;
      const probe = Float64Array.from(x);
      for (let i = 0; i < x.length; i++) {
        const xi = x[i] as number;
        const h = CUBE_ROOT_EPSILON * Math.max(1, Math.abs(xi));
        probe[i] = xi + h;
        const up = value(probe);
        probe[i] = xi - h;
        const down = value(probe);
        probe[i] = xi;
        evaluations += 2;
        // One-sided differences where the function leaves its domain on one side.
        if (Number.isFinite(up) && Number.isFinite(down)) gradient[i] = (up - down) / (2 * h);
        else if (Number.isFinite(up)) gradient[i] = (up - f) / h;
        else if (Number.isFinite(down)) gradient[i] = (f - down) / h;
        else gradient[i] = Number.NaN;
      }
      return f;
    },
    get evaluations() {
      return evaluations;
    },
  };
}

function badObjective(fn: string, objective: unknown): NumericError {
  return new NumericError({
    code: 'INVALID_ARGUMENT',
    fn,
    argument: 'objective',
    detail: `expected a function (x) => number, {value}, or {valueAndGradient}, received ${describeValue(objective)}.`,
  });
}
