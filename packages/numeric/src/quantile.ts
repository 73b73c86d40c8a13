/**
 * Sample quantiles with numpy's definitions (`numpy.quantile(a, q, method=…)`, numpy ≥ 1.22,
 * after Hyndman & Fan, "Sample quantiles in statistical packages", 1996). The default
 * `'linear'` is Hyndman & Fan's type 7, the default of numpy, R and Excel's PERCENTILE.INC.
 * Interpolation uses numpy's two-sided lerp, so results match numpy to the last bit.
 */
import { NumericError } from './errors.js';
import { check } from './internal/check.js';

/**
 * numpy's quantile methods. The continuous ones place q at the virtual index
 * n·q + α + q(1 − α − β) − 1 with (α, β) = linear (1, 1), hazen (½, ½), weibull (0, 0),
 * median_unbiased (⅓, ⅓), normal_unbiased (⅜, ⅜); the discrete ones take the linear index and
 * round it: lower (floor), higher (ceil), nearest (half to even), midpoint (mean of both).
 * @public
 */
export type QuantileMethod =
  | 'linear'
  | 'lower'
  | 'higher'
  | 'nearest'
  | 'midpoint'
  | 'hazen'
  | 'weibull'
  | 'median_unbiased'
  | 'normal_unbiased';

/** Options of {@link quantile}. @public */
export interface QuantileOptions {
  /** @defaultValue 'linear' */
  readonly method?: QuantileMethod;
}

const PLOTTING_POSITIONS: Readonly<Record<string, readonly [number, number]>> = {
  linear: [1, 1],
  hazen: [0.5, 0.5],
  weibull: [0, 0],
  median_unbiased: [1 / 3, 1 / 3],
  normal_unbiased: [3 / 8, 3 / 8],
};
const DISCRETE = new Set(['lower', 'higher', 'nearest', 'midpoint']);

/**
 * The q-quantile of finite values (copied and sorted; the input is not modified).
 *
 * @example
 * ```ts
 * quantile([10, 7, 4, 3, 2, 1], 0.5); // 3.5, numpy's documented example
 * quantile([1, 2, 3, 4], 0.4, { method: 'lower' }); // 2
 * ```
 * @throws NumericError on an empty array, non-finite values, q outside [0, 1] or an unknown method.
 * @public
 */
export function quantile(
  values: ArrayLike<number>,
  q: number,
  options: QuantileOptions = {},
): number {
  return checkedQuantiles('quantile', values, [q], options)[0] as number;
}

/**
 * Several quantiles of the same values with one sort.
 * @example
 * ```ts
 * quantiles([1, 2, 3, 4, 5], [0.025, 0.5, 0.975]); // Float64Array [1.1, 3, 4.9]
 * ```
 * @throws NumericError as {@link quantile}.
 * @public
 */
export function quantiles(
  values: ArrayLike<number>,
  qs: ArrayLike<number>,
  options: QuantileOptions = {},
): Float64Array {
  return checkedQuantiles('quantiles', values, qs, options);
}

function checkedQuantiles(
  fn: string,
  values: ArrayLike<number>,
  qs: ArrayLike<number>,
  options: QuantileOptions,
): Float64Array {
  const xs = check.finiteArray(fn, 'values', values, 1);
  const probabilities = check.finiteArray(fn, fn === 'quantile' ? 'q' : 'qs', qs, 0);
  const method = options.method ?? 'linear';
  if (!(method in PLOTTING_POSITIONS) && !DISCRETE.has(method)) {
    throw new NumericError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'options.method',
      detail: `unknown method ${JSON.stringify(method)}; use one of ${[...Object.keys(PLOTTING_POSITIONS), ...DISCRETE].join(', ')}.`,
    });
  }
  const sorted = Float64Array.from(xs).sort();
  const out = new Float64Array(probabilities.length);
  for (let k = 0; k < probabilities.length; k++) {
    const q = check.probability(fn, fn === 'quantile' ? 'q' : `qs[${k}]`, probabilities[k]);
    out[k] = quantileOfSorted(sorted, q, method);
  }
  return out;
}

/** The q-quantile of an ascending Float64Array (no checks; for loops inside the package). */
export function quantileOfSorted(sorted: Float64Array, q: number, method: QuantileMethod): number {
  const last = sorted.length - 1;
  const at = (i: number): number => sorted[Math.min(Math.max(i, 0), last)] as number;
  // numpy computes the index of 'linear' and the discrete methods as (n − 1)·q.
  const linearIndex = last * q;
  switch (method) {
    case 'lower':
      return at(Math.floor(linearIndex));
    case 'higher':
      return at(Math.ceil(linearIndex));
    case 'nearest':
      return at(roundHalfEven(linearIndex));
    case 'midpoint': {
      const below = Math.floor(linearIndex);
      return below === linearIndex ? at(below) : lerp(at(below), at(below + 1), 0.5);
    }
    case 'linear': {
      const below = Math.floor(linearIndex);
      return lerp(at(below), at(below + 1), linearIndex - below);
    }
    default: {
      const [alpha, beta] = PLOTTING_POSITIONS[method] as readonly [number, number];
      const n = sorted.length;
      const virtual = Math.min(Math.max(n * q + (alpha + q * (1 - alpha - beta)) - 1, 0), last);
      const below = Math.floor(virtual);
      return lerp(at(below), at(below + 1), virtual - below);
    }
  }
}

/** numpy's `_lerp`: interpolate from the nearer end so that t = 1 gives b exactly. */
function lerp(a: number, b: number, t: number): number {
  const difference = b - a;
  return t >= 0.5 ? b - difference * (1 - t) : a + difference * t;
}

function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}
