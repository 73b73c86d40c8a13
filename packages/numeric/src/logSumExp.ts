/**
 * Log-sum-exp in float64 without overflow: log Σ exp(xᵢ) = m + log Σ exp(xᵢ − m), m = max xᵢ.
 */
import { check } from './internal/check.js';
import { rejectNaN } from './internal/rejectNaN.js';

/**
 * log Σᵢ exp(values[i]), stable for any magnitude. `-Infinity` entries contribute nothing;
 * an empty input gives `-Infinity` (the log of an empty sum); any `+Infinity` gives `+Infinity`.
 *
 * @example
 * ```ts
 * logSumExp([1000, 1000]); // 1000.6931471805599 (the naive form overflows)
 * ```
 * @throws NumericError `NON_FINITE` when an entry is NaN.
 * @public
 */
export function logSumExp(values: ArrayLike<number>): number {
  if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
    check.finiteArray('logSumExp', 'values', values);
  }
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number;
    if (typeof x !== 'number' || Number.isNaN(x)) rejectNaN('logSumExp', `values[${i}]`, x);
    if (x > max) max = x;
  }
  if (max === Number.NEGATIVE_INFINITY || max === Number.POSITIVE_INFINITY) return max;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += Math.exp((values[i] as number) - max);
  return max + Math.log(sum);
}

/**
 * log(exp(a) + exp(b)), stable; the two-argument form used when accumulating in log space.
 * @throws NumericError `NON_FINITE` when an argument is NaN.
 * @public
 */
export function logAddExp(a: number, b: number): number {
  if (typeof a !== 'number' || Number.isNaN(a)) rejectNaN('logAddExp', 'a', a);
  if (typeof b !== 'number' || Number.isNaN(b)) rejectNaN('logAddExp', 'b', b);
  const max = Math.max(a, b);
  if (max === Number.NEGATIVE_INFINITY || max === Number.POSITIVE_INFINITY) return max;
  const min = Math.min(a, b);
  return max + Math.log1p(Math.exp(min - max));
}
